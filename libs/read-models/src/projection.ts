import { finished } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { addDays as domainAddDays, vietnamDate } from '@childledger/domain';
import type { RecordedEvent } from '@childledger/event-store';
import type { UnitResolver } from './unit-resolver';

/** What a projection needs besides the events: where its tables are, and the unit lists. */
export interface ProjectionContext {
  /** The actual name of a table: itself when serving, its shadow during a rebuild. */
  table(base: string): string;
  units: UnitResolver;
  /**
   * Called before rows of `base` are read by `column` (RowSet.load does): a rebuild, which builds
   * most indexes of its shadow tables only at the end, builds the one that serves this lookup now.
   */
  lookup?(tx: ClientBase, base: string, column: string): Promise<void>;
  /**
   * Only in the bulk of a rebuild (shadow tables that start empty and that nothing reads before
   * the switch-over): scratch a projection may keep across batches, by its name, to write what it
   * accumulated once at the end (`Projection.finishBulk`). Absent for the live projector and for
   * the tail a rebuild applies in its switch-over.
   */
  bulk?: Map<string, unknown>;
}

/**
 * A projection: applies a batch of events to its tables inside the caller's transaction (the
 * caller commits the checkpoint in the same transaction). Each one loads the rows the batch
 * touches, folds the events over them with pure functions, and writes back in a few statements.
 */
export interface Projection {
  readonly name: string;
  /** Its tables (live names); a rebuild swaps all of them at once. */
  readonly tables: readonly string[];
  apply(events: readonly RecordedEvent[], tx: ClientBase, ctx: ProjectionContext): Promise<void>;
  /** After the last batch of a rebuild's bulk, on the same connection: writes what `apply` kept in `ctx.bulk`. */
  finishBulk?(tx: ClientBase, ctx: ProjectionContext): Promise<void>;
}

export type Row = Record<string, unknown>;

export const liveTables: ProjectionContext['table'] = (base) => base;

/**
 * The streams whose first event (revision 0) is in `events`. Applied in log order (the live
 * projector and a rebuild both are), no earlier event of such a stream has been applied, so rows
 * made only from that stream's events cannot exist yet: a projection need not load them.
 */
export function streamsStartedIn(events: readonly RecordedEvent[]): Set<string> {
  const started = new Set<string>();
  for (const e of events) if (e.revision === 0) started.add(e.streamId);
  return started;
}

/**
 * Rows of one table loaded for a batch, changed in memory and written back with one upsert and
 * one delete. Rows are JSON-shaped (read with `row_to_json`), so dates and instants are text; they
 * are written back as one typed array per column (`unnest`). Rows put with `add` (known not to be
 * in the table) are appended with COPY instead, like `insertRows`.
 */
export class RowSet<T extends Row> {
  private readonly rows = new Map<string, T>();
  private readonly dirty = new Set<string>();
  private readonly deleted = new Map<string, T>();
  /** Keys put with `add` and not in the table: appended, never upserted or deleted. */
  private readonly fresh = new Set<string>();

  constructor(
    private readonly base: string,
    private readonly keyColumns: readonly (keyof T & string)[],
  ) {}

  key(row: Partial<T>): string {
    // One key column (most tables): its text, without an array made and joined per call.
    if (this.keyColumns.length === 1) return String(row[this.keyColumns[0]!]);
    return this.keyColumns.map((c) => String(row[c])).join('\u0000');
  }

  /** Loads the rows whose `column` is one of `values` (and that match `where`, a fixed SQL condition). */
  async load(tx: ClientBase, ctx: ProjectionContext, column: string, values: readonly string[], where = 'true'): Promise<void> {
    if (values.length === 0) return;
    await ctx.lookup?.(tx, this.base, column);
    const res = await tx.query<{ r: T }>(
      `SELECT row_to_json(loaded_row) AS r FROM ${ctx.table(this.base)} loaded_row WHERE loaded_row.${column} = ANY($1) AND ${where}`,
      [values],
    );
    for (const { r } of res.rows) {
      const k = this.key(r);
      if (!this.rows.has(k) && !this.deleted.has(k)) this.rows.set(k, r);
    }
  }

  get(key: Partial<T>): T | undefined {
    return this.rows.get(this.key(key));
  }

  all(): IterableIterator<T> {
    return this.rows.values();
  }

  put(row: T): T {
    const k = this.key(row);
    this.deleted.delete(k);
    this.rows.set(k, row);
    this.dirty.add(k);
    return row;
  }

  /**
   * Puts a row that is known not to be in the table (made by an event that starts its stream in
   * this batch, say): `flush` appends it with COPY rather than an upsert, so a wrong guess fails
   * loudly on the key. Later `put`/`touch` of the same key keep it so.
   */
  add(row: T): T {
    const k = this.key(row);
    // A key removed in this batch may be in the table: that one goes through the upsert.
    if (!this.deleted.has(k)) this.fresh.add(k);
    return this.put(row);
  }

  /** Marks a row returned by `get` as changed. */
  touch(row: T): void {
    this.put(row);
  }

  remove(row: T): void {
    const k = this.key(row);
    this.rows.delete(k);
    this.dirty.delete(k);
    if (!this.fresh.delete(k)) this.deleted.set(k, row);
  }

  async flush(tx: ClientBase, ctx: ProjectionContext, columns: readonly string[]): Promise<void> {
    const table = ctx.table(this.base);
    if (this.deleted.size > 0) {
      const keys = await columnTypes(tx, this.base, this.keyColumns);
      const rows = [...this.deleted.values()];
      const on = keys.map((c) => `t.${c.name} = d.${c.name}`).join(' AND ');
      await tx.query(
        `DELETE FROM ${table} t USING unnest(${keys.map((c, i) => `$${i + 1}::${scalarType(this.base, c)}[]`).join(', ')}) AS d(${keys.map((c) => c.name).join(', ')}) WHERE ${on}`,
        keys.map((c) => rows.map((r) => arrayElement(r[c.name], c.type))),
      );
    }
    const rows: T[] = [];
    const appended: T[] = [];
    for (const k of this.dirty) {
      const row = this.rows.get(k);
      if (row) (this.fresh.has(k) ? appended : rows).push(row);
    }
    if (appended.length > 0) await copyRows(tx, table, await columnTypes(tx, this.base, columns), appended);
    if (rows.length > 0) {
      const set = columns.filter((c) => !this.keyColumns.includes(c as keyof T & string)).map((c) => `${c} = excluded.${c}`);
      const cols = await columnTypes(tx, this.base, columns);
      // An array column travels as the text of its array literal (unnest would flatten it), cast back per row.
      const select = cols.map((c) => (isArrayType(c.type) ? `${c.name}::${c.type}` : c.name));
      await tx.query(
        `INSERT INTO ${table} (${columns.join(', ')})
         SELECT ${select.join(', ')} FROM unnest(${cols.map((c, i) => `$${i + 1}::${isArrayType(c.type) ? 'text' : c.type}[]`).join(', ')}) AS u(${columns.join(', ')})
         ON CONFLICT (${this.keyColumns.join(', ')}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`,
        cols.map((c) => rows.map((r) => arrayElement(r[c.name], c.type))),
      );
    }
  }
}

/**
 * Appends rows (a fact table): a plain `COPY … FROM STDIN` (text format), so applying an event
 * twice fails loudly on the key. Each value is written as the text its column's type reads (types
 * read from the catalogue once per table; a shadow table has its live table's columns): jsonb as
 * JSON, arrays as array literals, instants as ISO text; tabs, newlines and backslashes escaped.
 */
export async function insertRows(tx: ClientBase, ctx: ProjectionContext, base: string, columns: readonly string[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  await copyRows(tx, ctx.table(base), await columnTypes(tx, base, columns), rows);
}

/**
 * COPY of `rows` into `table`. The text is written in chunks once PostgreSQL has accepted the
 * COPY, so it parses one chunk while Node writes the next. Each chunk is built as one string, row
 * after row (no generator step and no array of lines to join per row: a tenth of a rebuild's CPU
 * went to formatting COPY data, issue 16).
 */
async function copyRows(tx: ClientBase, table: string, columns: readonly ColumnType[], rows: readonly Row[]): Promise<void> {
  if (columns.length === 0) throw new Error(`COPY into ${table} needs at least one column`);
  const names = columns.map((c) => c.name);
  const formats = columns.map((c) => copyFormatter(c.type));
  const width = names.length;
  function* chunks(): Iterable<string> {
    let chunk = '';
    for (const r of rows) {
      let line = formats[0]!(r[names[0]!]);
      for (let i = 1; i < width; i++) line += `\t${formats[i]!(r[names[i]!])}`;
      chunk += `${line}\n`;
      if (chunk.length >= COPY_CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  await copyChunks(tx, table, names, chunks());
}

/**
 * `COPY table (columns) FROM STDIN` of lines already in COPY's text format (fields escaped with
 * `copyField`, tab-separated), written in 64 kB chunks once PostgreSQL has accepted the COPY.
 */
export async function copyLines(tx: ClientBase, table: string, columns: readonly string[], lines: Iterable<string>): Promise<void> {
  function* chunks(): Iterable<string> {
    let chunk: string[] = [];
    let size = 0;
    for (const line of lines) {
      chunk.push(line);
      size += line.length;
      if (size >= COPY_CHUNK) {
        chunk.push('');
        yield chunk.join('\n');
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length > 0) {
      chunk.push('');
      yield chunk.join('\n');
    }
  }
  await copyChunks(tx, table, columns, chunks());
}

/** `COPY table (columns) FROM STDIN` of text chunks, each of whole lines ending in a newline, written once PostgreSQL has accepted the COPY. */
async function copyChunks(tx: ClientBase, table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void> {
  const stream = tx.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const done = finished(stream);
  const accepting = stream as unknown as { handleCopyInResponse(connection: unknown): void };
  const accepted = new Promise<void>((resolve) => {
    const handle = accepting.handleCopyInResponse.bind(stream);
    accepting.handleCopyInResponse = (connection) => {
      handle(connection);
      resolve();
    };
  });
  await Promise.race([accepted, done]);
  for (const chunk of chunks) stream.write(Buffer.from(chunk, 'utf8'));
  stream.end();
  await done;
}
const COPY_CHUNK = 64 * 1024;

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const copyEscape = (text: string): string => (COPY_SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] ?? c) : text);

/** One field of COPY's text format: `\N` for null, else the value's text with `\`, tab, CR and LF escaped. */
export function copyField(v: unknown, type: string): string {
  return copyFormatter(type)(v);
}

/** The COPY field writer of a column type. */
function copyFormatter(type: string): (v: unknown) => string {
  if (type === 'jsonb' || type === 'json') {
    // JSON.stringify escapes control characters itself: only its backslashes need doubling.
    return (v) => {
      if (v === null || v === undefined) return '\\N';
      const json = JSON.stringify(v);
      return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
    };
  }
  if (isArrayType(type)) {
    return (v) => {
      const text = valueText(v, type);
      return text === null ? '\\N' : copyEscape(text);
    };
  }
  return copyScalar;
}

/** A scalar field (the common cases first: this runs for every value appended). */
function copyScalar(v: unknown): string {
  if (typeof v === 'string') return copyEscape(v);
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return copyEscape(scalarText(v));
}

/** The text PostgreSQL reads for `v` in a column of `type` (null for SQL NULL). */
function valueText(v: unknown, type: string): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'jsonb' || type === 'json') return JSON.stringify(v);
  if (isArrayType(type)) {
    if (!Array.isArray(v)) throw new Error(`expected an array for a ${type} column, got ${typeof v}`);
    return arrayLiteral(v);
  }
  return scalarText(v);
}

function scalarText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
    case 'bigint':
      return String(v);
    default:
      return v instanceof Date ? v.toISOString() : JSON.stringify(v);
  }
}

/** A PostgreSQL array literal (`{"a","b\"c",NULL}`): every element quoted, `"` and `\` escaped. */
export function arrayLiteral(values: readonly unknown[]): string {
  const parts = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    return `"${scalarText(v).replace(/[\\"]/g, '\\$&')}"`;
  });
  return `{${parts.join(',')}}`;
}

/** A value as an element of the typed array `unnest` takes apart: jsonb as JSON text, an array as its literal. */
function arrayElement(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'jsonb' || type === 'json') return JSON.stringify(v);
  if (isArrayType(type)) return valueText(v, type);
  return v;
}

const isArrayType = (type: string): boolean => type.endsWith('[]');

function scalarType(base: string, column: ColumnType): string {
  if (isArrayType(column.type)) throw new Error(`${base}.${column.name} (${column.type}) cannot be a key column of a RowSet`);
  return column.type;
}

interface ColumnType {
  name: string;
  /** As `format_type` writes it: `text`, `timestamp with time zone`, `smallint[]`… */
  type: string;
}

const tableTypeCache = new Map<string, Map<string, string>>();

/** The SQL types of `columns` of `base`, read from the catalogue once per table. */
async function columnTypes(tx: ClientBase, base: string, columns: readonly string[]): Promise<ColumnType[]> {
  let byName = tableTypeCache.get(base);
  if (!byName) {
    const res = await tx.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [base],
    );
    byName = new Map(res.rows.map((r) => [r.name, r.type]));
    tableTypeCache.set(base, byName);
  }
  return columns.map((c) => {
    const t = byName.get(c);
    if (!t) throw new Error(`${base} has no column ${c}`);
    return { name: c, type: t };
  });
}

/**
 * The domain's date helpers (calendar days in Vietnam, UTC+7), under the names the projections
 * use, remembering their answers: a rebuild asks for the same few thousand days millions of times
 * (parsing and formatting a Date each time was a tenth of the folds' CPU). Same results, same
 * errors: a value not seen before goes to the domain's function.
 */
export function addDays(date: string, n: number): string {
  const key = `${date}\u0000${n}`;
  let day = addDaysSeen.get(key);
  if (day === undefined) {
    day = domainAddDays(date, n);
    if (addDaysSeen.size >= DAYS_REMEMBERED) addDaysSeen.clear();
    addDaysSeen.set(key, day);
  }
  return day;
}

/** The calendar day in Vietnam at an instant (a Date, or ISO text with a zone). */
export function vietnamDay(at: Date | string): string {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(t)) return vietnamDate(at);
  const n = Math.floor((t + VIETNAM_OFFSET_MS) / 86_400_000);
  let day = vietnamDaysSeen.get(n);
  if (day === undefined) {
    day = vietnamDate(at);
    if (vietnamDaysSeen.size >= DAYS_REMEMBERED) vietnamDaysSeen.clear();
    vietnamDaysSeen.set(n, day);
  }
  return day;
}
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAYS_REMEMBERED = 100_000;
const addDaysSeen = new Map<string, string>();
const vietnamDaysSeen = new Map<number, string>();

/**
 * `e.recordedAt` as ISO text, formatted once per instant however many projections ask (a
 * rebuild's lanes fold the same pages; four folds formatted each instant). Remembered by the
 * instant's milliseconds, not by the event object: a WeakMap's lookups cost several times the
 * formatting they saved (a CPU profile of the rebuild, issue 16).
 */
export function recordedAtText(e: RecordedEvent): string {
  const ms = e.recordedAt.getTime();
  let text = RECORDED_AT_TEXT.get(ms);
  if (text === undefined) {
    text = e.recordedAt.toISOString();
    if (RECORDED_AT_TEXT.size >= INSTANTS_REMEMBERED) RECORDED_AT_TEXT.clear();
    RECORDED_AT_TEXT.set(ms, text);
  }
  return text;
}
const RECORDED_AT_TEXT = new Map<number, string>();
/** More than the events of the pages a rebuild's lanes hold at once. */
const INSTANTS_REMEMBERED = 65_536;

/** Whether the event's personal data was erased (the encryption layer's key is gone). */
export function personalErased(e: RecordedEvent): boolean {
  return e.metadata['personalDataErased'] === true || (e.data as { personal?: unknown }).personal === null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
