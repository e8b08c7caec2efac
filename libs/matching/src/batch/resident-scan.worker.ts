import { once } from 'node:events';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { DEFAULT_BLOCKING_RULES } from '../blocking/blocking-rules';
import { adminUnitLookupFor } from '../comparison/admin-units.adapter';
import type { PreparedRecord } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { residentReader } from '../parsing/csv-header.mapper';
import { csvRowBatches } from './csv-rows.reader';
import { joinRecordParts, planRecordParts, readRecordFile, readRecordPart, type RecordPart } from './record-file.reader';
import { GrowableArray } from './growable-array';
import { ResidentScanner, type ScanColumns } from './resident-scan';

export const SCAN_WORKER_KIND = 'childledger-resident-scan';

/** Which administrative units a worker loads itself (functions cannot be sent to a thread). */
export type WorkerAdminUnits = 'national' | 'none';

export interface ScanTask {
  readonly kind: typeof SCAN_WORKER_KIND;
  readonly residentsPath: string;
  /** Byte range [start, end) of whole rows, after the header. */
  readonly start: number;
  readonly end: number;
  readonly header: string[];
  /** The child-records file, which the worker reads and prepares itself. */
  readonly recordsPath: string;
  readonly adminUnits: WorkerAdminUnits;
  /**
   * With `threads`: the records file is cut into that many parts (planRecordParts), this thread
   * prepares part `part`, sends it to the main thread ('records') and gets the others back
   * ('records'), so that each record is prepared once.
   */
  readonly recordParts?: { readonly threads: number; readonly part: number };
}

/** From the main thread to a worker: every part of the records file (its own part left out: undefined). */
export interface RecordPartsMessage {
  readonly type: 'records';
  readonly parts: (RecordPart | undefined)[];
}

export type ScanMessage =
  | { readonly type: 'progress'; readonly bytes: number }
  /** The worker's part of the records file, prepared (undefined: the file is read whole by each thread). */
  | { readonly type: 'records'; readonly part: RecordPart | undefined }
  | {
      readonly type: 'done';
      readonly columns: ScanColumns;
      /** Byte offsets [start, end) of each readable resident's row, in order (to fetch the random sample's rows). */
      readonly rowStarts: Float64Array;
      readonly rowEnds: Float64Array;
      readonly cacheHitRate: number;
    }
  | { readonly type: 'error'; readonly message: string };

/** Scans one byte range of the residents file with the records (read from the file when not given); the work of one worker thread. */
export async function scanRange(
  task: ScanTask,
  onProgress: (bytes: number) => void = () => undefined,
  prepared?: readonly (PreparedRecord | undefined)[],
): Promise<Extract<ScanMessage, { type: 'done' }>> {
  const preparer = new PersonPreparer(task.adminUnits === 'national' ? adminUnitLookupFor(loadAdministrativeUnits()) : undefined);
  const records = prepared ?? (await workerRecords(task, preparer));
  const scanner = new ResidentScanner(records, DEFAULT_BLOCKING_RULES);
  const reader = residentReader(task.header);
  const starts = new GrowableArray(Float64Array, 1, 1 << 14);
  const ends = new GrowableArray(Float64Array, 1, 1 << 14);
  let lastReport = 0;
  if (task.end > task.start) {
    for await (const rows of csvRowBatches(task.residentsPath, { start: task.start, end: task.end })) {
      for (const { cells, start, end } of rows) {
        const input = reader.read(cells);
        if (!input) {
          scanner.unreadableResidents++;
          continue;
        }
        starts.push(start);
        ends.push(end);
        scanner.scan(preparer.prepareResident(input));
      }
      if (scanner.residents - lastReport >= 20_000) {
        lastReport = scanner.residents;
        onProgress((rows[rows.length - 1]?.end ?? task.start) - task.start);
      }
    }
  }
  onProgress(task.end - task.start);
  return { type: 'done', columns: scanner.columns(), rowStarts: starts.view(), rowEnds: ends.view(), cacheHitRate: scanner.cacheHitRate };
}

/** The records for a worker: its part prepared here and the others received, or the whole file read here. */
async function workerRecords(task: ScanTask, preparer: PersonPreparer): Promise<readonly (PreparedRecord | undefined)[]> {
  const port = parentPort as MessagePort | null;
  const plan = task.recordParts && port ? await planRecordParts(task.recordsPath, task.recordParts.threads) : undefined;
  if (!plan || !task.recordParts || !port) {
    if (task.recordParts && port) port.postMessage({ type: 'records', part: undefined } satisfies ScanMessage);
    return (await readRecordFile(task.recordsPath, preparer)).records;
  }
  const own = await readRecordPart(task.recordsPath, preparer, plan, task.recordParts.part);
  const reply = once(port, 'message') as Promise<[RecordPartsMessage]>;
  port.postMessage({ type: 'records', part: own } satisfies ScanMessage);
  const [message] = await reply;
  return joinRecordParts(message.parts.map((p, k) => (k === task.recordParts?.part ? own : (p as RecordPart)))).records;
}

if (!isMainThread && parentPort && (workerData as ScanTask | undefined)?.kind === SCAN_WORKER_KIND) {
  const port = parentPort;
  scanRange(workerData as ScanTask, (bytes) => port.postMessage({ type: 'progress', bytes } satisfies ScanMessage))
    .then((done) => {
      const c = done.columns;
      port.postMessage(done, [c.pairRecord.buffer, c.pairResident.buffer, c.pairVector.buffer, done.rowStarts.buffer, done.rowEnds.buffer] as ArrayBuffer[]);
    })
    .catch((err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies ScanMessage));
}
