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
