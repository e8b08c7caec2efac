import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Pool } from 'pg';
import type { AdministrativeUnits } from '@childledger/admin-units';
import {
  ChildCommand,
  childDecider,
  ChildEvent,
  ChildState,
  childStreamId,
  RegistryError,
  vietnamDate,
} from '@childledger/domain';
import { EventMetadata, EventStore, IdempotencyConflictError, NewEvent, WrongExpectedVersionError } from '@childledger/event-store';
import type { AuthenticatedUser } from '@childledger/platform';
import type { DataKeyring } from '@childledger/trust';
import { AccessDeniedError, AccessPolicy, IMPORT_ROLES, requireRoleIn } from '../shared/access-policy';
import { ChildRecordParser, ParsedChildRecord, RowProblem } from './child-records/child-record.parser';
import { HeaderMapping, mapHeaders, RecordColumn } from './child-records/columns';
import { uuidV5 } from './deterministic-id';
import { ImportCounts, ImportLedger, ImportProblem, ImportReport } from './import.ledger';
import { cellText, detectFormat, ImportFormat, readRows } from './row-source';

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
  store: EventStore;
  pool: Pool;
  units: AdministrativeUnits;
  policy: AccessPolicy;
  ledger: ImportLedger;
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
}

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

interface PreparedRow {
  record: ParsedChildRecord;
  childId: string;
  streamId: string;
  events: NewEvent[];
}

/**
 * Bulk registration from a child-records file (CSV or XLSX, formats.md). Streams the rows, reads
 * each into a registration (plus its special circumstances), lets the child decider judge it, and
 * appends the accepted ones in batches, one transaction per batch.
 *
 * Re-importing writes nothing new because ids are derived from content: a row's child id is a
 * name-based UUID of what the row says about the child (not of the file, not of `record_ref`,
 * which is often just a row number), and its event ids derive from the child id. A row already
 * imported, from this file or another, finds its stream and is counted as already imported.
 * Progress and problems go to the import ledger after every batch.
 */
export class ChildRecordImporter {
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly clock: () => Date;

  constructor(private readonly options: ChildRecordImporterOptions) {
    this.batchSize = options.batchSize ?? 250;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Runs an import to the end and returns its report. */
  async run(source: ImportSource, actor: ImportActor, onProgress?: ChildRecordImporterOptions['onProgress']): Promise<ImportReport> {
    const started = await this.start(source, actor, onProgress);
    return started.done;
  }

  /** Registers the import and runs it in the background; the report is readable by id meanwhile. */
  async start(source: ImportSource, actor: ImportActor, onProgress?: ChildRecordImporterOptions['onProgress']): Promise<ImportStarted> {
    requireRoleIn(actor.user, IMPORT_ROLES, 'import child records');
    const [format, sha256, info] = await Promise.all([detectFormat(source.path), sha256Of(source.path), stat(source.path)]);
    const importId = randomUUID();
    await this.options.ledger.create({
      id: importId,
      fileName: source.fileName,
      sha256,
      fileBytes: info.size,
      format,
      userId: actor.user.userId,
      role: actor.user.role,
      correlationId: actor.correlationId,
    });
    const done = this.execute(importId, source, format, info.size, actor, onProgress ?? this.options.onProgress).then(async () => {
      const report = await this.options.ledger.get(importId);
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

    const problem = (kind: ImportProblem['kind'], row: number, recordRef: string | undefined, p: RowProblem): ImportProblem => ({
      kind,
      row,
      ...(recordRef === undefined ? {} : { recordRef }),
      column: p.column,
      ...(p.column && mapping?.headers.get(p.column) ? { header: mapping.headers.get(p.column) } : {}),
      code: p.code,
      reason: p.reason,
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

    try {
      for await (const row of readRows(source.path, format, (n) => (counts.bytesRead += n))) {
        if (row.error !== undefined) {
          if (!mapping) throw new ImportFileError(`the header row cannot be read: ${row.error}`);
          counts.rowsRead += 1;
          reject(row.rowNumber, undefined, [{ column: null, code: 'UNREADABLE_ROW', reason: row.error }]);
          continue;
        }
        if (ChildRecordParser.isBlank(row.cells)) continue;
        if (!mapping || !parser) {
          mapping = mapHeaders(row.cells.map(cellText));
          if (mapping.missing.length > 0) {
            throw new ImportFileError(
              `the header row (row ${row.rowNumber}) lacks ${mapping.missing.join(', ')}; found: ${row.cells.map(cellText).filter(Boolean).join(', ').slice(0, 300)}`,
            );
          }
          parser = new ChildRecordParser(mapping, units, today);
          continue;
        }
        counts.rowsRead += 1;
        const parsed = parser.parse(row.rowNumber, row.cells);
        if (!parsed.ok) {
          reject(parsed.rowNumber, parsed.recordRef, parsed.problems);
        } else {
          const ref = parsed.record.recordRef;
          const earlier = ref === undefined ? undefined : refs.get(ref);
          if (earlier !== undefined) {
            reject(row.rowNumber, ref, [{ column: 'record_ref', code: 'DUPLICATE_RECORD_REF', reason: `record_ref ${ref} is also on row ${earlier}` }]);
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
      const message = err instanceof ImportFileError ? err.message : `the import stopped: ${err instanceof Error ? err.message : String(err)}`;
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
    const prepared: PreparedRow[] = [];
    for (const record of rows) {
      const childId = uuidV5(`child-record\u0000${canonical(record)}`);
      const earlier = seen.get(childId);
      if (earlier !== undefined) {
        reject(record.rowNumber, record.recordRef, [{ column: null, code: 'DUPLICATE_ROW', reason: `the same child as row ${earlier}` }]);
        continue;
      }
      seen.set(childId, record.rowNumber);
      try {
        prepared.push(this.prepare(importId, record, childId, actor, now, today));
      } catch (err) {
        if (err instanceof RegistryError) {
          reject(record.rowNumber, record.recordRef, [{ column: FIELD_COLUMNS[err.field ?? ''] ?? null, code: err.code, reason: err.message }]);
        } else if (err instanceof AccessDeniedError) {
          reject(record.rowNumber, record.recordRef, [{ column: 'commune', code: 'OUTSIDE_JURISDICTION', reason: err.message }]);
        } else throw err;
      }
    }
    const existing = await this.existingStreams(prepared.map((p) => p.streamId));
    const fresh = prepared.filter((p) => !existing.has(p.streamId));
    if (fresh.length > 0) await this.options.keyring?.findOrCreate(fresh.map((p) => p.childId));
    counts.alreadyImported += prepared.length - fresh.length;
    const written = await this.append(fresh);
    for (const p of fresh) {
      if (written.has(p.streamId)) {
        counts.imported += 1;
        // Warnings are reported for rows that went in; a row already imported had them reported then.
        for (const w of p.record.warnings) sink.warn(p.record, w);
      } else counts.alreadyImported += 1;
    }
  }

  /** The events of one row: registration, then each special circumstance, decided by the domain. */
  private prepare(importId: string, record: ParsedChildRecord, childId: string, actor: ImportActor, now: Date, today: string): PreparedRow {
    const context = { now, units: this.options.units };
    let state: ChildState = childDecider.initialState();
    const events: ChildEvent[] = [];
    const commands: ChildCommand[] = [
      { type: 'RegisterChild', data: { childId, ...record.registration }, context },
      ...record.groups.map((group): ChildCommand => ({ type: 'IdentifySpecialCircumstance', data: { group, effectiveFrom: today }, context })),
    ];
    for (const command of commands) {
      for (const e of childDecider.decide(command, state)) {
        events.push(e);
        state = childDecider.evolve(state, e);
      }
    }
    const unit = this.options.policy.authorize(actor.user, record.registration.residence);
    const metadata: EventMetadata = {
      actor: { userId: actor.user.userId, role: actor.user.role, ...(unit === undefined ? {} : { unit }) },
      ...(actor.correlationId ? { correlationId: actor.correlationId } : {}),
      source: 'import',
      import: {
        importId,
        row: record.rowNumber,
        ...(record.recordRef ? { recordRef: record.recordRef } : {}),
        ...(record.dateOfBirthPrecision === 'day' ? {} : { dateOfBirthPrecision: record.dateOfBirthPrecision }),
      },
    };
    return {
      record,
      childId,
      streamId: childStreamId(childId),
      events: events.map((e, i) => ({ id: uuidV5(`event\u0000${i}`, childId), type: e.type, schemaVersion: e.schemaVersion, data: e.data as Record<string, unknown>, metadata })),
    };
  }

  private async existingStreams(streamIds: string[]): Promise<Set<string>> {
    if (streamIds.length === 0) return new Set();
    if (this.options.store.capabilities?.storedLog) {
      const { rows } = await this.options.pool.query<{ stream_id: string }>('SELECT stream_id FROM event_streams WHERE stream_id = ANY($1::text[])', [streamIds]);
      return new Set(rows.map((r) => r.stream_id));
    }
    const found = await Promise.all(streamIds.map(async (id) => ((await this.options.store.readStream(id, { maxCount: 1 })).length > 0 ? id : undefined)));
    return new Set(found.filter((id): id is string => id !== undefined));
  }

  /**
   * Appends new streams, one transaction per batch on PostgreSQL. If anything in the batch fails
   * (another import wrote one of these children meanwhile), the batch rolls back and each row is
   * appended on its own, a conflict then meaning "already imported". Returns the streams written.
   */
  private async append(rows: PreparedRow[]): Promise<Set<string>> {
    const written = new Set<string>();
    if (rows.length === 0) return written;
    const { store } = this.options;
    const transactional = store.capabilities?.appendInTransaction;
    if (transactional) {
      const ok = await transactional
        .transaction(async (tx) => {
          for (const r of rows) await tx.append(r.streamId, r.events, { expectedRevision: 'no_stream' });
        })
        .then(
          () => true,
          () => false,
        );
      if (ok) {
        for (const r of rows) written.add(r.streamId);
        return written;
      }
    }
    for (const r of rows) {
      try {
        const result = await store.append(r.streamId, r.events, { expectedRevision: 'no_stream' });
        if (!result.duplicate) written.add(r.streamId);
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError || err instanceof IdempotencyConflictError)) throw err;
      }
    }
    return written;
  }
}

/** What a row says about the child, in a fixed order: the input of its child id. */
function canonical(record: ParsedChildRecord): string {
  const r = record.registration;
  return JSON.stringify([
    r.fullName,
    r.dateOfBirth,
    r.sex,
    r.personalId ?? '',
    r.residence.communeCode,
    r.motherName ?? '',
    r.fatherName ?? '',
    r.notes ?? '',
    record.groups,
  ]);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
