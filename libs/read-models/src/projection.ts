import type { ClientBase } from 'pg';
import type { RecordedEvent } from '@childledger/event-store';
import type { UnitResolver } from './unit-resolver';

/** What a projection needs besides the events: where its tables are, and the unit lists. */
export interface ProjectionContext {
  /** The actual name of a table: itself when serving, its shadow during a rebuild. */
  table(base: string): string;
  units: UnitResolver;
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
}

export type Row = Record<string, unknown>;

export const liveTables: ProjectionContext['table'] = (base) => base;

/**
 * Rows of one table loaded for a batch, changed in memory and written back with one upsert and
 * one delete. Rows are JSON-shaped (read with `row_to_json`, written with
 * `jsonb_populate_recordset`), so dates and instants round-trip as text.
 */
export class RowSet<T extends Row> {
  private readonly rows = new Map<string, T>();
  private readonly dirty = new Set<string>();
  private readonly deleted = new Map<string, T>();

  constructor(
    private readonly base: string,
    private readonly keyColumns: readonly (keyof T & string)[],
  ) {}

  key(row: Partial<T>): string {
    return this.keyColumns.map((c) => String(row[c])).join('\u0000');
  }

  /** Loads the rows whose `column` is one of `values` (and that match `where`, a fixed SQL condition). */
  async load(tx: ClientBase, ctx: ProjectionContext, column: string, values: readonly string[], where = 'true'): Promise<void> {
    if (values.length === 0) return;
    const res = await tx.query<{ r: T }>(`SELECT row_to_json(t) AS r FROM ${ctx.table(this.base)} t WHERE t.${column} = ANY($1) AND ${where}`, [values]);
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

  /** Marks a row returned by `get` as changed. */
  touch(row: T): void {
    this.put(row);
  }

  remove(row: T): void {
    const k = this.key(row);
    this.rows.delete(k);
    this.dirty.delete(k);
    this.deleted.set(k, row);
  }

  async flush(tx: ClientBase, ctx: ProjectionContext, columns: readonly string[]): Promise<void> {
    const table = ctx.table(this.base);
    if (this.deleted.size > 0) {
      const on = this.keyColumns.map((c) => `t.${c} = d.${c}`).join(' AND ');
      await tx.query(`DELETE FROM ${table} t USING jsonb_populate_recordset(NULL::${table}, $1) d WHERE ${on}`, [JSON.stringify([...this.deleted.values()])]);
    }
    if (this.dirty.size > 0) {
      const rows = [...this.dirty].map((k) => this.rows.get(k)!);
      const set = columns.filter((c) => !this.keyColumns.includes(c as keyof T & string)).map((c) => `${c} = excluded.${c}`);
      await tx.query(
        `INSERT INTO ${table} (${columns.join(', ')})
         SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::${table}, $1)
         ON CONFLICT (${this.keyColumns.join(', ')}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`,
        [JSON.stringify(rows)],
      );
    }
  }
}

/**
 * Appends rows (a fact table): a plain INSERT, so applying an event twice fails loudly on the key.
 * The rows travel as one array per column (`unnest`), each value parsed once by its column's type:
 * much cheaper for PostgreSQL than one JSON document taken apart by `jsonb_populate_recordset`
 * (which re-serialises every nested JSON value). Column types are read from the catalogue once per
 * table (a shadow table has its live table's columns).
 */
export async function insertRows(tx: ClientBase, ctx: ProjectionContext, base: string, columns: readonly string[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const table = ctx.table(base);
  const types = await columnTypes(tx, base, columns);
  const arrays = columns.map((c, i) =>
    rows.map((r) => {
      const v = r[c];
      if (v === null || v === undefined) return null;
      return types[i] === 'jsonb' || types[i] === 'json' ? JSON.stringify(v) : v;
    }),
  );
  await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${columns.map((_c, i) => `$${i + 1}::${types[i]}[]`).join(', ')})`, arrays);
}

const columnTypeCache = new Map<string, string[]>();

async function columnTypes(tx: ClientBase, base: string, columns: readonly string[]): Promise<string[]> {
  const key = `${base}(${columns.join(',')})`;
  let types = columnTypeCache.get(key);
  if (!types) {
    const res = await tx.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [base],
    );
    const byName = new Map(res.rows.map((r) => [r.name, r.type]));
    types = columns.map((c) => {
      const t = byName.get(c);
      if (!t) throw new Error(`${base} has no column ${c}`);
      // unnest would flatten an array column's values into the outer array.
      if (t.endsWith('[]')) throw new Error(`insertRows cannot append ${base}.${c} (${t}): array columns need the upsert path`);
      return t;
    });
    columnTypeCache.set(key, types);
  }
  return types;
}

/** Calendar day in Vietnam (UTC+7) of an instant given as ISO text or Date. */
export function vietnamDay(at: string | Date): string {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(t + 7 * 3600_000).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whether the event's personal data was erased (the encryption layer's key is gone). */
export function personalErased(e: RecordedEvent): boolean {
  return e.metadata['personalDataErased'] === true || (e.data as { personal?: unknown }).personal === null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
