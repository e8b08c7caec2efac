import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Pool } from 'pg';
import type { AdministrativeUnits } from '@childledger/admin-units';
import { foldVietnamese } from '@childledger/admin-units';
import { ChildCommandContext, RegistryError, vietnamDate } from '@childledger/domain';
import type { StoreTransaction } from '@childledger/event-store';
import type { AuthenticatedUser } from '@childledger/platform';
import type { DataKeyring } from '@childledger/trust';
import { IdentifySpecialCircumstanceCommand } from '../commands/identify-special-circumstance/identify-special-circumstance.command';
import { RegisterChildCommand } from '../commands/register-child/register-child.command';
import { AccessDeniedError, IMPORT_ROLES, requireRoleIn } from '../shared/access-policy';
import { BatchConflictError, NewChildStream, NewChildStreams, PreparedChildStream } from '../shared/new-child-streams';
import type { RequestContext } from '../shared/registry-command';
import type { RegistryHandlerDeps } from '../shared/registry-handler.deps';
import type { RegistryKeys } from '../shared/registry-keys';
import { ChildRecordParser, ParsedChildRecord, RowProblem } from './child-records/child-record.parser';
import { HeaderMapping, mapHeaders, RecordColumn } from './child-records/columns';
import { ImportCounts, ImportLedger, ImportProblem, ImportReport } from './import.ledger';
import { ImportLimitError, ImportLimits, resolveImportLimits } from './import-limits';
import { ImportQueue } from './import-queue';
import { ROW_NUMBER_REASONS, ruleText } from './import-rules';
import { cellText, detectFormat, ImportFormat, readRows } from './row-source';

export * from './import-limits';
export * from './import-queue';

export interface ImportSource {
  /** A file on local disk (the HTTP layer spools the upload first). */
  path: string;
  fileName?: string;
}

export interface ImportActor {
  user: AuthenticatedUser;
  correlationId?: string;
  source: 'api' | 'cli';
}

export interface ImportStarted {
  importId: string;
  /** Settles when the import ends, with its final report (status `failed` rather than a rejection). */
  done: Promise<ImportReport>;
}

export interface ChildRecordImporterOptions {
  /** The handler core's dependencies: every row is written through it (NewChildStreams). */
  deps: RegistryHandlerDeps;
  pool: Pool;
  units: AdministrativeUnits;
  ledger: ImportLedger;
  /** The keyed hashes of the import dedupe keys. */
  keys: RegistryKeys;
  clock?: () => Date;
  /**
   * The per-child data keys of the encrypting store, when there is one: the importer creates the
   * keys of a whole batch in one statement before appending it, instead of one commit per child.
   */
  keyring?: Pick<DataKeyring, 'findOrCreate'>;
  /** Rows per transaction. */
  batchSize?: number;
  /** Batches being appended at once (each on its own connection). */
  maxInFlight?: number;
  /** Called after each batch (the CLI draws its progress bar from it). */
  onProgress?: (progress: ImportCounts & { fileBytes: number }) => void;
  /** Archive and row limits (import-limits.ts defaults for what is not given). */
  limits?: Partial<ImportLimits>;
  /** The bounded queue imports run through (default: one of the importer's own, 2 running and 10 waiting). */
  queue?: ImportQueue;
}

/** What one import runs under, over the importer's options: the registry API passes its configured limits and queue. */
export interface ImportRunOptions {
  onProgress?: ChildRecordImporterOptions['onProgress'];
  limits?: Partial<ImportLimits>;
  queue?: ImportQueue;
}

/** A queued import's heartbeat (the ledger reads a running import silent for 120 s as interrupted). */
const QUEUED_HEARTBEAT_MS = 30_000;

const NO_COUNTS: ImportCounts = { bytesRead: 0, rowsRead: 0, imported: 0, alreadyImported: 0, rejected: 0, warnings: 0 };

/** The whole file could not be imported: no header, or a required column missing. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

const FIELD_COLUMNS: Record<string, RecordColumn> = {
  fullName: 'full_name',
  dateOfBirth: 'date_of_birth',
  sex: 'sex',
  personalId: 'personal_id',
  motherName: 'mother_full_name',
  fatherName: 'father_full_name',
  notes: 'notes',
  'residence.communeCode': 'commune',
  'residence.effectiveFrom': 'date_of_birth',
  group: 'special_circumstances',
  effectiveFrom: 'special_circumstances',
};

interface ProblemSink {
  reject(row: number, recordRef: string | undefined, problems: RowProblem[]): void;
  warn(record: ParsedChildRecord, warning: RowProblem): void;
}

/** A row's dedupe keys (keyed hashes) and the row. */
interface KeyedRow {
  record: ParsedChildRecord;
  dedupeKeys: string[];
}

/**
 * Bulk registration from a child-records file (CSV or XLSX, formats.md). Streams the rows, reads
 * each into a RegisterChild command (plus IdentifySpecialCircumstance for its groups) and sends them
 * through the handler core (`NewChildStreams`: role, decide, jurisdiction, metadata, append with
 * `no_stream`), in batches, one transaction per batch.
 *
 * Re-importing writes nothing new: each imported child has a random id and dedupe keys, keyed
 * hashes (HMAC under CHILDLEDGER_DEDUPE_KEY) of what identifies it across imports (`importIdentities`:
 * commune + folded full name + date of birth, and the personal ID when stated). They are written in
 * the transaction of the child's events; a row with a key already there, from this file or another,
 * even corrected since, is counted as already imported.
 *
 * What the ledger keeps of a rejected row is its number and the rule it broke (column, code and the
 * rule's fixed text), never a value from the row. Progress and problems go to the ledger after every batch.
 */
export class ChildRecordImporter {
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly clock: () => Date;
  private readonly queue: ImportQueue;

  private readonly streams: NewChildStreams;

  constructor(private readonly options: ChildRecordImporterOptions) {
    this.streams = new NewChildStreams(options.deps);
    this.batchSize = options.batchSize ?? 250;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.clock = options.clock ?? (() => new Date());
    this.queue = options.queue ?? new ImportQueue();
  }

  /** Runs an import to the end and returns its report. */
  async run(source: ImportSource, actor: ImportActor, options?: ChildRecordImporterOptions['onProgress'] | ImportRunOptions): Promise<ImportReport> {
    const started = await this.start(source, actor, options);
    return started.done;
  }

  /**
   * Registers the import and runs it in the background through the bounded queue; the report is
   * readable by id meanwhile. When every slot and place in the queue is taken, throws
   * ImportQueueFullError before registering anything. A queued import is reported as `running`
   * with 0 rows until a slot frees (its heartbeat kept meanwhile).
   */
  async start(source: ImportSource, actor: ImportActor, options: ChildRecordImporterOptions['onProgress'] | ImportRunOptions = {}): Promise<ImportStarted> {
    const run: ImportRunOptions = typeof options === 'function' ? { onProgress: options } : options;
    const { ledger } = this.options;
    requireRoleIn(actor.user, IMPORT_ROLES, 'import child records');
    const [format, sha256, info] = await Promise.all([detectFormat(source.path), sha256Of(source.path), stat(source.path)]);
    const importId = randomUUID();
    const limits = resolveImportLimits({ ...this.options.limits, ...run.limits });
    const onProgress = run.onProgress ?? this.options.onProgress;

    // The place in the queue is taken before the ledger row is written (no await between the check
    // and the bulkhead's count): a refused import leaves nothing behind. The task waits for its row.
    let registered!: (ok: boolean) => void;
    const ledgerRow = new Promise<boolean>((resolve) => (registered = resolve));
    let beat: Promise<void> = Promise.resolve();
    const finished = (run.queue ?? this.queue).admit(async () => {
      if (!(await ledgerRow)) return;
      clearInterval(heartbeat);
      await beat;
      await this.execute(importId, source, format, info.size, actor, onProgress, limits);
    });
    try {
      await ledger.create({
        id: importId,
        fileName: source.fileName,
        sha256,
        fileBytes: info.size,
        format,
        userId: actor.user.userId,
        role: actor.user.role,
        correlationId: actor.correlationId,
      });
    } catch (err) {
      registered(false);
      await finished.catch(() => undefined);
      throw err;
    }
    // Cleared by the task when it starts, which is only after registered(true) below.
    const heartbeat = setInterval(() => {
      beat = beat.then(() => ledger.progress(importId, NO_COUNTS, [])).catch(() => undefined);
    }, QUEUED_HEARTBEAT_MS);
    heartbeat.unref();
    registered(true);
    const done = finished
      .catch(async (err: unknown) => {
        // execute() reports its own failures; this is the queue failing the task (never started).
        clearInterval(heartbeat);
        const kind = err instanceof Error ? err.name : 'unknown';
        await ledger
          .finish(importId, NO_COUNTS, [], `the import could not start (${kind}); nothing was imported, import the file again`)
          .catch(() => undefined);
      })
      .then(async () => {
        const report = await ledger.get(importId);
        if (!report) throw new Error(`import ${importId} vanished from the ledger`);
        return report;
      });
    return { importId, done };
  }

  private async execute(
    importId: string,
    source: ImportSource,
    format: ImportFormat,
    fileBytes: number,
    actor: ImportActor,
    onProgress: ChildRecordImporterOptions['onProgress'],
    limits: ImportLimits,
  ): Promise<void> {
    const { ledger, units } = this.options;
    const counts: ImportCounts = { bytesRead: 0, rowsRead: 0, imported: 0, alreadyImported: 0, rejected: 0, warnings: 0 };
    let pending: ImportProblem[] = [];
    const now = this.clock();
    const today = vietnamDate(now);
    let mapping: HeaderMapping | undefined;
    let parser: ChildRecordParser | undefined;
    const refs = new Map<string, number>();
    const seen = new Map<string, number>();
    let batch: ParsedChildRecord[] = [];

    // The row's number and the rule broken: no cell value, no record_ref, no message quoting the row.
    const problem = (kind: ImportProblem['kind'], row: number, _recordRef: string | undefined, p: RowProblem): ImportProblem => ({
      kind,
      row,
      column: p.column,
      ...(p.column && mapping?.headers.get(p.column) ? { header: mapping.headers.get(p.column) } : {}),
      code: p.code,
      reason: ROW_NUMBER_REASONS.has(p.code) ? p.reason : ruleText(p.code, p.column),
    });
    const reject = (row: number, recordRef: string | undefined, problems: RowProblem[]) => {
      counts.rejected += 1;
      for (const p of problems) pending.push(problem('rejected', row, recordRef, p));
    };
    const sink: ProblemSink = {
      reject,
      warn: (record, w) => {
        counts.warnings += 1;
        pending.push(problem('warning', record.rowNumber, record.recordRef, w));
      },
    };
    // Batches are appended while the next ones are read: up to `maxInFlight` at once, each in its
    // own transaction. Rows are independent (one new stream each), so their order does not matter;
    // progress goes to the ledger one write at a time.
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let ledgerWrites: Promise<void> = Promise.resolve();
    const report = () => {
      const problems = pending;
      pending = [];
      const snapshot = { ...counts };
      ledgerWrites = ledgerWrites.then(() => ledger.progress(importId, snapshot, problems));
      onProgress?.({ ...snapshot, fileBytes });
      return ledgerWrites;
    };
    const flush = async (final = false) => {
      const rows = batch;
      batch = [];
      if (rows.length > 0) {
        const done: Promise<void> = this.importBatch(importId, rows, actor, now, today, counts, sink, seen)
          .then(report)
          .catch((err: unknown) => {
            failure ??= err;
          })
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
      }
      while (inFlight.size >= this.maxInFlight || (final && inFlight.size > 0)) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      if (final) await report();
    };

    // The row cap: the rows before it are imported (each batch committed), then the import fails
    // naming the rule and what was done; the rest of the file is not read. Stopping is the safest
    // answer a stream allows (the count is only known while reading), and an import is idempotent:
    // the officer splits the file and imports the rest, or the whole file again, and no row already
    // imported is written twice.
    const stopAtCap = async (rowNumber: number) => {
      if (counts.rowsRead < limits.maxRows) return;
      await flush(true);
      throw new ImportLimitError(
        'TOO_MANY_ROWS',
        `the file has more than ${limits.maxRows} data rows`,
        `the import stopped before row ${rowNumber}, after the first ${limits.maxRows} (${counts.imported} imported, ${counts.alreadyImported} already imported, ${counts.rejected} rejected); import the rest as another file (rows already imported are recognised and not written twice)`,
      );
    };

    try {
      for await (const row of readRows(source.path, format, (n) => (counts.bytesRead += n), limits)) {
        if (row.error !== undefined) {
          if (!mapping) throw new ImportFileError(`the header row (row ${row.rowNumber}) cannot be read`);
          await stopAtCap(row.rowNumber);
          counts.rowsRead += 1;
          reject(row.rowNumber, undefined, [{ column: null, code: 'UNREADABLE_ROW', reason: 'the row cannot be read' }]);
          continue;
        }
        if (ChildRecordParser.isBlank(row.cells)) continue;
        if (!mapping || !parser) {
          mapping = mapHeaders(row.cells.map(cellText));
          if (mapping.missing.length > 0) {
            // The row may be data (a file without its header): it is not quoted.
            throw new ImportFileError(`the header row (row ${row.rowNumber}) lacks ${mapping.missing.join(', ')} (formats.md lists the column names)`);
          }
          parser = new ChildRecordParser(mapping, units, today);
          continue;
        }
        await stopAtCap(row.rowNumber);
        counts.rowsRead += 1;
        const parsed = parser.parse(row.rowNumber, row.cells);
        if (!parsed.ok) {
          reject(parsed.rowNumber, parsed.recordRef, parsed.problems);
        } else {
          const ref = parsed.record.recordRef;
          const earlier = ref === undefined ? undefined : refs.get(ref);
          if (earlier !== undefined) {
            reject(row.rowNumber, ref, [{ column: 'record_ref', code: 'DUPLICATE_RECORD_REF', reason: `the same record_ref as row ${earlier}` }]);
          } else {
            if (ref !== undefined) refs.set(ref, row.rowNumber);
            batch.push(parsed.record);
          }
        }
        if (batch.length >= this.batchSize) await flush();
      }
      if (!mapping) throw new ImportFileError('the file has no header row (it is empty)');
      await flush(true);
      await ledger.finish(importId, counts, pending);
    } catch (err) {
      await Promise.allSettled(inFlight);
      await ledgerWrites.catch(() => undefined);
      // An unexpected error's message may quote data: the report names only its kind.
      const message =
        err instanceof ImportFileError || err instanceof ImportLimitError
          ? err.message
          : `the import stopped: an internal error (${err instanceof Error ? err.name : 'unknown'}); rows already imported stay, import the file again to finish`;
      await ledger.finish(importId, counts, pending, message).catch(() => undefined);
    }
  }

  private async importBatch(
    importId: string,
    rows: ParsedChildRecord[],
    actor: ImportActor,
    now: Date,
    today: string,
    counts: ImportCounts,
    sink: ProblemSink,
    seen: Map<string, number>,
  ): Promise<void> {
    const { reject } = sink;
    const keyed: KeyedRow[] = [];
    for (const record of rows) {
      const dedupeKeys = importIdentities(record).map((identity) => this.options.keys.dedupeKey(identity));
      const earlier = dedupeKeys.map((k) => seen.get(k)).find((n) => n !== undefined);
      if (earlier !== undefined) {
        reject(record.rowNumber, record.recordRef, [{ column: null, code: 'DUPLICATE_ROW', reason: `the same child as row ${earlier}` }]);
        continue;
      }
      for (const k of dedupeKeys) seen.set(k, record.rowNumber);
      keyed.push({ record, dedupeKeys });
    }
    const existing = await this.existingKeys(keyed.flatMap((k) => k.dedupeKeys));

    // Every row is decided (role, jurisdiction, rules) before it is looked up among earlier
    // imports: "already imported" would otherwise tell an officer that a child outside their
    // jurisdiction is on the register.
    const context: ChildCommandContext = { now, units: this.options.units };
    const decided = this.streams.decide(keyed.map((row) => this.commandsOf(importId, row, actor, context, today)));
    const prepared: PreparedChildStream<KeyedRow>[] = [];
    for (const d of decided) {
      if (d.ok) {
        if (d.stream.key.dedupeKeys.some((k) => existing.has(k))) counts.alreadyImported += 1;
        else prepared.push(d.stream);
        continue;
      }
      const { record } = d.key;
      if (d.error instanceof RegistryError)
        reject(record.rowNumber, record.recordRef, [{ column: FIELD_COLUMNS[d.error.field ?? ''] ?? null, code: d.error.code, reason: '' }]);
      else if (d.error instanceof AccessDeniedError && d.error.reason === 'role')
        reject(record.rowNumber, record.recordRef, [{ column: null, code: 'ROLE', reason: '' }]);
      else reject(record.rowNumber, record.recordRef, [{ column: 'commune', code: 'OUTSIDE_JURISDICTION', reason: '' }]);
    }
    // One statement for the batch's data keys instead of one commit per child (the encrypting store would make them one by one).
    if (prepared.length > 0) await this.options.keyring?.findOrCreate(prepared.map((p) => p.childId));
    const written = await this.streams.append(prepared, { within: (tx, batch) => this.recordDedupeKeys(tx, importId, batch) });
    for (const p of prepared) {
      if (written.has(p.key)) {
        counts.imported += 1;
        // Warnings are reported for rows that went in; a row already imported had them reported then.
        for (const w of p.key.record.warnings) sink.warn(p.key.record, w);
      } else counts.alreadyImported += 1;
    }
  }

  /** The row as commands of the handler core: a registration under a new random id, then each special circumstance. */
  private commandsOf(importId: string, row: KeyedRow, actor: ImportActor, context: ChildCommandContext, today: string): NewChildStream<KeyedRow> {
    const { record } = row;
    const childId = randomUUID();
    const request: RequestContext = {
      user: actor.user,
      correlationId: actor.correlationId ?? '',
      source: 'import',
      metadata: {
        import: {
          importId,
          row: record.rowNumber,
          ...(record.recordRef ? { recordRef: record.recordRef } : {}),
          ...(record.dateOfBirthPrecision === 'day' ? {} : { dateOfBirthPrecision: record.dateOfBirthPrecision }),
        },
      },
    };
    return {
      key: row,
      commands: [
        new RegisterChildCommand(childId, { childId, ...record.registration }, request, context),
        ...record.groups.map((group) => new IdentifySpecialCircumstanceCommand(childId, { group, effectiveFrom: today }, request, context)),
      ],
    };
  }

  private async existingKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await this.options.pool.query<{ dedupe_key: string }>('SELECT dedupe_key FROM import_dedupe_keys WHERE dedupe_key = ANY($1::text[])', [
      keys,
    ]);
    return new Set(rows.map((r) => r.dedupe_key));
  }

  /** In the transaction of the batch's events: its dedupe keys; one already taken (a concurrent import) refuses the batch. */
  private async recordDedupeKeys(tx: StoreTransaction, importId: string, batch: readonly PreparedChildStream<KeyedRow>[]): Promise<void> {
    const keys: string[] = [];
    const children: string[] = [];
    for (const p of batch) {
      for (const k of p.key.dedupeKeys) {
        keys.push(k);
        children.push(p.childId);
      }
    }
    if (keys.length === 0) return;
    const inserted = await tx.query(
      `INSERT INTO import_dedupe_keys (dedupe_key, child_id, import_id)
       SELECT k, c, $3::uuid FROM unnest($1::text[], $2::uuid[]) AS t(k, c) ON CONFLICT DO NOTHING`,
      [keys, children, importId],
    );
    if (inserted.rowCount !== keys.length) throw new BatchConflictError('a dedupe key of this batch was written by another import');
  }
}

/**
 * What identifies an imported child across imports (docs/formats.md), before hashing: the commune
 * (in force today) with the full name folded (no diacritics, case or punctuation) and the date of
 * birth; and, when the row states a valid personal ID, that number. A corrected row (parents' names,
 * notes, a personal ID added) keeps its first identity and is not imported twice.
 */
export function importIdentities(record: ParsedChildRecord): string[] {
  const r = record.registration;
  const identities = [`commune-name-dob\u0000${r.residence.communeCode}\u0000${foldVietnamese(r.fullName)}\u0000${r.dateOfBirth}`];
  if (r.personalId) identities.push(`personal-id\u0000${r.personalId}`);
  return identities;
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
