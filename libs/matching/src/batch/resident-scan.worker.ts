import { once } from 'node:events';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { DEFAULT_BLOCKING_RULES } from '../blocking/blocking-rules';
import { adminUnitLookupFor } from '../comparison/admin-units.adapter';
import type { PreparedRecord } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { residentReader } from '../parsing/csv-header.mapper';
import { csvRowBatches } from './csv-rows.reader';
import { joinRecordParts, planRecordParts, readRecordFile, readRecordPart, type RecordFile, type RecordPart, type RecordPartsPlan } from './record-file.reader';
import { GrowableArray } from './growable-array';
import { ResidentScanner, type ScanColumns } from './resident-scan';

export const SCAN_WORKER_KIND = 'childledger-resident-scan';

/** Which administrative units a worker loads itself (functions cannot be sent to a thread). */
export type WorkerAdminUnits = 'national' | 'none';

export interface ScanTask {
  readonly kind: typeof SCAN_WORKER_KIND;
  readonly residentsPath: string;
  /** Byte ranges [start, end) of whole rows after the header, in file order: the chunks the threads share out. */
  readonly chunks: readonly (readonly [number, number])[];
  /**
   * The next chunk to scan, shared by all threads (one Int32 on a SharedArrayBuffer): a thread
   * takes chunks until none is left, so a thread that started late or runs slower scans fewer.
   */
  readonly nextChunk: Int32Array;
  readonly header: string[];
  /** The child-records file, which the worker reads and prepares itself. */
  readonly recordsPath: string;
  readonly adminUnits: WorkerAdminUnits;
  /**
   * The records file is cut into `chunks` parts (planRecordParts) that the threads take in turn
   * (`nextChunk`, shared like the residents' one), so that each record is prepared once and a thread
   * that started late prepares fewer; a worker sends its chunks to the main thread ('records') and
   * gets the others back ('records').
   */
  readonly recordParts?: { readonly chunks: number; readonly nextChunk: Int32Array };
}

/** A chunk of the records file, prepared: part `chunk` of the plan. */
export interface RecordChunk {
  readonly chunk: number;
  readonly part: RecordPart;
}

/** From the main thread to a worker: the records file's chunks it did not prepare itself. */
export interface RecordPartsMessage {
  readonly type: 'records';
  readonly chunks: RecordChunk[];
}

export type ScanMessage =
  | { readonly type: 'progress'; readonly bytes: number }
  /** The chunks of the records file the worker prepared (undefined: the file is read whole by each thread). */
  | { readonly type: 'records'; readonly chunks: RecordChunk[] | undefined }
  | {
      readonly type: 'done';
      /** The chunks this thread scanned, in the order it took them. */
      readonly chunks: ScannedChunk[];
      readonly cacheHitRate: number;
    }
  | { readonly type: 'error'; readonly message: string };

/** One chunk of the residents file, scanned. */
export interface ScannedChunk {
  /** Its index in `ScanTask.chunks`. */
  readonly chunk: number;
  readonly columns: ScanColumns;
  /** Byte offsets [start, end) of each readable resident's row, in order (to fetch the random sample's rows). */
  readonly rowStarts: Float64Array;
  readonly rowEnds: Float64Array;
}

/**
 * Scans chunks of the residents file with the records (read from the file when not given) until
 * none is left; the work of one thread. Each chunk's columns are its own, so that the chunks put
 * in file order give the columns of one sequential scan whichever thread scanned which.
 */
export async function scanChunks(
  task: ScanTask,
  onProgress: (bytes: number) => void = () => undefined,
  prepared?: readonly (PreparedRecord | undefined)[],
): Promise<Extract<ScanMessage, { type: 'done' }>> {
  const preparer = new PersonPreparer(task.adminUnits === 'national' ? adminUnitLookupFor(loadAdministrativeUnits()) : undefined);
  const records = prepared ?? (await workerRecords(task, preparer));
  const scanner = new ResidentScanner(records, DEFAULT_BLOCKING_RULES);
  const reader = residentReader(task.header);
  const scanned: ScannedChunk[] = [];
  let bytesDone = 0;
  for (let k = Atomics.add(task.nextChunk, 0, 1); k < task.chunks.length; k = Atomics.add(task.nextChunk, 0, 1)) {
    const [from, to] = task.chunks[k] as readonly [number, number];
    const starts = new GrowableArray(Float64Array, 1, 1 << 14);
    const ends = new GrowableArray(Float64Array, 1, 1 << 14);
    let lastReport = 0;
    if (to > from) {
      for await (const rows of csvRowBatches(task.residentsPath, { start: from, end: to })) {
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
          onProgress(bytesDone + (rows[rows.length - 1]?.end ?? from) - from);
        }
      }
    }
    bytesDone += to - from;
    onProgress(bytesDone);
    scanned.push({ chunk: k, columns: scanner.takeColumns(), rowStarts: starts.view(), rowEnds: ends.view() });
  }
  return { type: 'done', chunks: scanned, cacheHitRate: scanner.cacheHitRate };
}

/** Prepares chunks of a planned records file, taking the next one from `nextChunk` until none is left. */
export async function prepareRecordChunks(file: string, preparer: PersonPreparer, plan: RecordPartsPlan, nextChunk: Int32Array): Promise<RecordChunk[]> {
  const chunks: RecordChunk[] = [];
  for (let k = Atomics.add(nextChunk, 0, 1); k < plan.ranges.length; k = Atomics.add(nextChunk, 0, 1)) {
    chunks.push({ chunk: k, part: await readRecordPart(file, preparer, plan, k) });
  }
  return chunks;
}

/** All chunks of the records file, in file order, as one file's records. */
export function joinRecordChunks(chunks: readonly RecordChunk[]): RecordFile {
  return joinRecordParts([...chunks].sort((a, b) => a.chunk - b.chunk).map((c) => c.part));
}

/** The records for a worker: its chunks prepared here and the others received, or the whole file read here. */
async function workerRecords(task: ScanTask, preparer: PersonPreparer): Promise<readonly (PreparedRecord | undefined)[]> {
  const port = parentPort as MessagePort | null;
  const plan = task.recordParts && port ? await planRecordParts(task.recordsPath, task.recordParts.chunks) : undefined;
  if (!plan || !task.recordParts || !port) {
    if (task.recordParts && port) port.postMessage({ type: 'records', chunks: undefined } satisfies ScanMessage);
    return (await readRecordFile(task.recordsPath, preparer)).records;
  }
  const own = await prepareRecordChunks(task.recordsPath, preparer, plan, task.recordParts.nextChunk);
  const reply = once(port, 'message') as Promise<[RecordPartsMessage]>;
  port.postMessage({ type: 'records', chunks: own } satisfies ScanMessage);
  const [message] = await reply;
  return joinRecordChunks([...own, ...message.chunks]).records;
}

if (!isMainThread && parentPort && (workerData as ScanTask | undefined)?.kind === SCAN_WORKER_KIND) {
  const port = parentPort;
  scanChunks(workerData as ScanTask, (bytes) => port.postMessage({ type: 'progress', bytes } satisfies ScanMessage))
    .then((done) => {
      const buffers = done.chunks.flatMap(({ columns: c, rowStarts, rowEnds }) => [
        c.pairRecord.buffer,
        c.pairResident.buffer,
        c.pairVector.buffer,
        rowStarts.buffer,
        rowEnds.buffer,
      ]);
      port.postMessage(done, buffers as ArrayBuffer[]);
    })
    .catch((err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies ScanMessage));
}
