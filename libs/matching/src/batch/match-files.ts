import { createWriteStream, existsSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type { AdminUnitLookup } from '../comparison/admin-unit-lookup.port';
import { FIELD_COUNT } from '../comparison/comparison-levels';
import { DEFAULT_BLOCKING_RULES, type BlockingRule } from '../blocking/blocking-rules';
import { FellegiSunterModel, type MatchModelJson, type MatchThresholds } from '../model/fellegi-sunter.model';
import { NameFrequencyTable } from '../model/name-frequency.table';
import type { PreparedRecord, PreparedResident } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { candidateOdds, decisionFor, explainFields, explanationText, oddsProbability, recordWarnings } from '../engine/match.engine';
import type { MatchDecisionKind } from '../engine/match-decision.model';
import { residentReader } from '../parsing/csv-header.mapper';
import { SeededRandom } from '@childledger/random';
import { csvRows, usesLoneCr } from './csv-rows.reader';
import { planRecordParts, readRecordFile, type RecordFile } from './record-file.reader';
import { CachedComparator } from './comparison-cache';
import { ResidentScanner, type ScanColumns } from './resident-scan';
import { VectorWeights } from './vector-weights';
import {
  SCAN_WORKER_KIND,
  joinRecordChunks,
  prepareRecordChunks,
  scanChunks,
  type RecordChunk,
  type RecordPartsMessage,
  type ScanMessage,
  type ScanTask,
  type ScannedChunk,
  type WorkerAdminUnits,
} from './resident-scan.worker';

export interface MatchProgress {
  readonly phase: 'records' | 'residents' | 'training' | 'deciding';
  /** Rows (records, deciding) or bytes (residents) done so far. */
  readonly done: number;
  readonly total?: number;
}

export interface MatchFilesOptions {
  readonly residentsPath: string;
  readonly recordsPath: string;
  readonly outPath: string;
  readonly onProgress?: (progress: MatchProgress) => void;
  /** Old→new commune mapping and unit names; without it commune codes are compared as given. */
  readonly adminUnits?: AdminUnitLookup;
  /** A saved model. Without one, u is estimated from random pairs and m by EM on this run's pairs. */
  readonly model?: MatchModelJson;
  /**
   * With `model`: weigh names by the frequencies saved in the model instead of counting them in
   * this run's residents file (a partition's residents are one province; the frequencies must be
   * the country's for its weights to be those of a national run).
   */
  readonly modelFrequencies?: boolean;
  readonly thresholds?: MatchThresholds;
  /** Where to save the fitted model (JSON), to reload it with `model`. */
  readonly saveModelPath?: string;
  readonly blockingRules?: readonly BlockingRule[];
  /** record_ref → true personal_id ('' when the child has no national record), for measuring quality. */
  readonly groundTruth?: ReadonlyMap<string, string>;
  readonly seed?: number;
  /**
   * Worker threads that scan byte ranges of the residents file in parallel (default 1: in this
   * thread). The output is the same as with one. Used only with the default blocking rules and when
   * `workerAdminUnits` says which units the workers load (functions cannot cross to a thread):
   * 'national' (`adminUnits` must then be the national units) or 'none' (no `adminUnits`).
   */
  readonly workers?: number;
  readonly workerAdminUnits?: WorkerAdminUnits;
}

export interface MatchQuality {
  readonly recordsWithTruth: number;
  /** Share of records with a national record whose true resident was among the candidates. */
  readonly blockingRecall: number;
  readonly linkedPrecision: number;
  /** Share of records with a national record that were linked to the right resident. */
  readonly linkedRecall: number;
  /** Share of records with a national record linked to, or offered for review with, the right resident first. */
  readonly linkedOrReviewRecall: number;
  readonly reviewShare: number;
  /** Share of records without a national record that were linked to someone. */
  readonly falseLinkRateNoRecord: number;
}

export interface MatchSummary {
  readonly records: number;
  readonly unreadableRecords: number;
  readonly residents: number;
  readonly unreadableResidents: number;
  readonly decisions: Record<MatchDecisionKind, number>;
  readonly candidatePairs: number;
  readonly pairsPerRecord: number;
  readonly recordsWithoutCandidates: number;
  /** Pairs found by each rule (a pair found by several rules counts for each). */
  readonly pairsByRule: Record<string, number>;
  readonly model: Record<string, number | string | boolean>;
  readonly durationMs: number;
  /** Wall time of each phase. */
  readonly phaseMs: Record<MatchProgress['phase'], number>;
  readonly peakRssBytes: number;
  readonly peakHeapUsedBytes: number;
  /** Threads that scanned the residents (1: this one). */
  readonly workers: number;
  /** Share of name comparisons answered from the cache (the same two names seen before). */
  readonly comparisonCacheHitRate: number;
  readonly quality?: MatchQuality;
}

const RANDOM_PAIRS = 50_000;
const RESERVOIR = 2_000;
const MAX_EM_PAIRS = 2_000_000;
const CANDIDATES_IN_OUTPUT = 5;

/**
 * Offline batch matching of a child-records CSV against a residents CSV (formats.md). Records are
 * held in memory and indexed by their blocking keys; the residents file, which can hold millions of
 * rows, is streamed once and never held: each resident is compared with the records it shares a key
 * with, and only the compact comparison vector of each candidate pair is kept. Memory therefore grows
 * with the records file and the number of candidate pairs, not with the residents file.
 */
export async function matchFiles(options: MatchFilesOptions): Promise<MatchSummary> {
  const started = Date.now();
  const memory = new PeakMemory();
  // Seeded, so that a run is reproducible.
  const rng = new SeededRandom(options.seed ?? 20250701).asFunction();
  const rules = options.blockingRules ?? DEFAULT_BLOCKING_RULES;
  const preparer = new PersonPreparer(options.adminUnits);
  const progress = options.onProgress ?? (() => undefined);

  // Worker threads start at once: each reads the records itself while this thread does.
  const total = statSync(options.residentsPath).size;
  const parallel = (await usesLoneCr(options.residentsPath)) ? undefined : parallelPlan(options, rules);
  const scanning = parallel ? await startScan(options.residentsPath, options.recordsPath, parallel.workers, parallel.adminUnits, total) : undefined;

  // 1. Records: read, prepare (each thread indexes them by probe keys). With workers, each thread
  // prepares a part of the file and they exchange the parts.
  const { records, refs, unreadable } = await (
    scanning ? scanning.records(preparer) : readRecordFile(options.recordsPath, preparer, (done) => progress({ phase: 'records', done }))
  ).catch((err: unknown) => {
    scanning?.stop();
    throw err;
  });
  progress({ phase: 'records', done: records.length });
  memory.sample();
  const phaseMs: Record<MatchProgress['phase'], number> = { records: Date.now() - started, residents: 0, training: 0, deciding: 0 };

  // 2. Residents: stream once; compare with the records that share a key.
  let scan: ScanColumns;
  let reservoir: PreparedResident[];
  let cacheHitRate: number;
  if (scanning) {
    const result = await scanning.finish(records, (done) => progress({ phase: 'residents', done, total }));
    memory.sample();
    scan = result.scan;
    cacheHitRate = result.cacheHitRate;
    // The same random sample as a sequential scan: replay its reservoir draws, then read those rows.
    const chosen = reservoirIndices(scan.residents, rng);
    reservoir = await readResidentsAt(
      options.residentsPath,
      result.header,
      preparer,
      chosen.map((k) => result.rowAt(k)),
    );
  } else {
    const scanner = new ResidentScanner(records, rules);
    reservoir = [];
    let lastReport = 0;
    let reader: ReturnType<typeof residentReader> | undefined;
    for await (const rows of csvRows(options.residentsPath)) {
      for (const { cells } of rows) {
        if (!reader) {
          reader = residentReader(cells);
          if (reader.missing.length) throw new Error(`${options.residentsPath}: missing column(s) ${reader.missing.join(', ')}`);
          continue;
        }
        const input = reader.read(cells);
        if (!input) {
          scanner.unreadableResidents++;
          continue;
        }
        const resident = preparer.prepareResident(input);
        scanner.scan(resident);
        const n = scanner.residents;
        if (reservoir.length < RESERVOIR) reservoir.push(resident);
        else {
          const j = Math.floor(rng() * n);
          if (j < RESERVOIR) reservoir[j] = resident;
        }
      }
      if (scanner.residents - lastReport >= 50_000) {
        lastReport = scanner.residents;
        memory.sample();
        progress({ phase: 'residents', done: Math.max(0, rows[rows.length - 1]?.end ?? 0), total });
      }
    }
    scan = scanner.columns();
    cacheHitRate = scanner.cacheHitRate;
  }
  progress({ phase: 'residents', done: total, total });
  const residents = scan.residents;
  const unreadableResidents = scan.unreadableResidents;
  const pairsByRule = scan.pairsByRule;
  const familyCounts = new Map(scan.familyCounts);
  const givenCounts = new Map(scan.givenCounts);
  const pairCount = scan.pairRecord.length;
  memory.sample();

  phaseMs.residents = Date.now() - started - phaseMs.records;
  // 3. Model: u from random pairs, m by EM on the candidate pairs, name frequencies from residents.
  progress({ phase: 'training', done: 0 });
  const frequencies = NameFrequencyTable.fromCounts(residents, familyCounts, givenCounts);
  let model: FellegiSunterModel;
  if (options.model) {
    model = FellegiSunterModel.fromJson(options.model);
    if (!options.modelFrequencies) model = model.withFrequencies(frequencies);
  } else {
    model = FellegiSunterModel.withPriors();
    const readable = records.filter((r): r is PreparedRecord => !!r);
    if (readable.length && reservoir.length) {
      const random = new Int8Array(RANDOM_PAIRS * FIELD_COUNT);
      // The same vectors as comparePair; the reservoir's 2,000 residents meet the same records' names often.
      const comparator = new CachedComparator();
      for (let k = 0; k < RANDOM_PAIRS; k++) {
        const rec = readable[Math.floor(rng() * readable.length)] as PreparedRecord;
        const res = reservoir[Math.floor(rng() * reservoir.length)] as PreparedResident;
        comparator.compare(rec, res, random, k * FIELD_COUNT);
      }
      model.estimateU(random);
    }
    if (pairCount > 0) {
      const fit = model.fitEm(sampleVectors(scan.pairVector, MAX_EM_PAIRS, rng));
      model.setMatchPrior(fit.lambda * pairCount, readable.length, residents);
    }
    model = model.withFrequencies(frequencies);
  }
  if (options.thresholds) model = model.withThresholds(options.thresholds);
  if (options.saveModelPath) await writeFile(options.saveModelPath, JSON.stringify(model.toJson(), null, 2));
  memory.sample();

  phaseMs.training = Date.now() - started - phaseMs.records - phaseMs.residents;
  // 4. Decide per record, in input order; write every record exactly once. The pairs are first
  // copied into record order (a record's own in scan order): read in place, a record's pairs lie
  // all over the scan's columns and each cost a cache miss or two, most of the time of deciding.
  const start = new Uint32Array(records.length + 1);
  const recordOfPair = scan.pairRecord;
  for (let p = 0; p < pairCount; p++) {
    const at = (recordOfPair[p] as number) + 1;
    start[at] = (start[at] as number) + 1;
  }
  for (let i = 0; i < records.length; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const vectors = new Int8Array(pairCount * FIELD_COUNT);
  const ids = new Float64Array(pairCount);
  {
    const { pairResident, pairVector } = scan;
    const fill = start.slice(0, records.length);
    for (let p = 0; p < pairCount; p++) {
      const r = recordOfPair[p] as number;
      const k = fill[r] as number;
      fill[r] = k + 1;
      ids[k] = pairResident[p] as number;
      for (let f = 0; f < FIELD_COUNT; f++) vectors[k * FIELD_COUNT + f] = pairVector[p * FIELD_COUNT + f] as number;
    }
  }
  const decisions: Record<MatchDecisionKind, number> = { linked: 0, review: 0, no_match: 0 };
  const q = { withTruth: 0, withRecord: 0, blocked: 0, linked: 0, linkedRight: 0, reviewRight: 0, review: 0, noRecord: 0, noRecordLinked: 0 };
  let recordsWithoutCandidates = 0;
  const out = new CsvFileWriter(createWriteStream(options.outPath));
  out.row(['record_ref', 'decision', 'personal_id', 'score', 'candidates', 'explanation']);
  const weightOf = new VectorWeights(model);
  const priorBits = model.priorBits;
  let weights = new Float64Array(64);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const ref = refs[i] as string;
    let decision: MatchDecisionKind = 'no_match';
    let chosen = '';
    let bestRef = '';
    if (!record) {
      out.row([ref, 'no_match', '', '0', '', `Not matched: the row could not be read (${unreadable.get(i) ?? ''})`]);
    } else {
      const from = start[i] as number;
      const to = start[i + 1] as number;
      const n = to - from;
      if (n === 0) recordsWithoutCandidates++;
      if (n > weights.length) weights = new Float64Array(2 * n);
      weightOf.forRecord(record.name);
      // candidateProbabilities without its arrays: the odds summed in candidate order, and the
      // best candidate the first of the highest weight (where the stable sort by weight puts it).
      let oddsSum = 0;
      let best = -1;
      for (let k = 0; k < n; k++) {
        const w = weightOf.weight(vectors, from + k);
        weights[k] = w;
        oddsSum += weightOf.odds;
        if (best < 0 || w > (weights[best] as number)) best = k;
      }
      const total = 1 + oddsSum;
      const warnings = recordWarnings(record);
      if (best < 0) {
        out.row([ref, 'no_match', '', '0', '', ['No candidate resident found', ...warnings.map((w) => `Warning: ${w}`)].join('; ')]);
      } else {
        const p = from + best;
        const vector = vectors.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT);
        const weight = weights[best] as number;
        const probability = oddsProbability(candidateOdds(weight, priorBits), total);
        decision = decisionFor(probability, model, vector);
        bestRef = personalIdText(ids[p] as number);
        chosen = decision === 'no_match' ? '' : bestRef;
        const fields = explainFields(model, vector, record.name);
        const candidates =
          decision === 'review'
            ? rankByWeight(weights, n, CANDIDATES_IN_OUTPUT)
                .map((k) => {
                  const pk = oddsProbability(candidateOdds(weights[k] as number, priorBits), total);
                  return `${personalIdText(ids[from + k] as number)}:${pk.toFixed(4)}`;
                })
                .join(';')
            : '';
        const score = probability.toFixed(4);
        const head = `Best candidate ${bestRef}: match weight ${weight.toFixed(1)}, probability ${score} among ${n} candidate(s)`;
        out.row([ref, decision, chosen, score, candidates, `${head}. ${explanationText(fields, warnings)}`]);
      }
      const truth = options.groundTruth?.get(record.recordRef);
      if (truth !== undefined) {
        q.withTruth++;
        if (truth) {
          q.withRecord++;
          const truthNumber = Number(truth);
          for (let k = from; k < to; k++) if (ids[k] === truthNumber) q.blocked++;
          if (decision === 'linked' && chosen === truth) q.linkedRight++;
          if (decision === 'review' && bestRef === truth) q.reviewRight++;
        } else {
          q.noRecord++;
          if (decision === 'linked') q.noRecordLinked++;
        }
        if (decision === 'linked') q.linked++;
        if (decision === 'review') q.review++;
      }
    }
    decisions[decision]++;
    if (out.full) await out.flush();
    if (i % 10_000 === 0) progress({ phase: 'deciding', done: i, total: records.length });
  }
  await out.end();
  progress({ phase: 'deciding', done: records.length, total: records.length });
  memory.sample();
  memory.stop();

  const ratio = (a: number, b: number) => (b > 0 ? a / b : 1);
  return {
    records: records.length,
    unreadableRecords: unreadable.size,
    residents,
    unreadableResidents,
    decisions,
    candidatePairs: pairCount,
    pairsPerRecord: ratio(pairCount, records.length),
    recordsWithoutCandidates,
    pairsByRule: Object.fromEntries(rules.map((r, k) => [r.name, pairsByRule[k] ?? 0])),
    model: { ...model.training, lambda: model.priorMatchProbability },
    durationMs: Date.now() - started,
    phaseMs: { ...phaseMs, deciding: Date.now() - started - phaseMs.records - phaseMs.residents - phaseMs.training },
    peakRssBytes: memory.peakRss,
    peakHeapUsedBytes: memory.peakHeap,
    workers: parallel?.workers ?? 1,
    comparisonCacheHitRate: cacheHitRate,
    quality: options.groundTruth
      ? {
          recordsWithTruth: q.withTruth,
          blockingRecall: ratio(q.blocked, q.withRecord),
          linkedPrecision: ratio(q.linkedRight, q.linked),
          linkedRecall: ratio(q.linkedRight, q.withRecord),
          linkedOrReviewRecall: ratio(q.linkedRight + q.reviewRight, q.withRecord),
          reviewShare: ratio(q.review, q.withTruth),
          falseLinkRateNoRecord: ratio(q.noRecordLinked, q.noRecord),
        }
      : undefined,
  };
}

/** The first `count` of the first `n` candidates by weight, highest first, ties in candidate order. */
function rankByWeight(weights: Float64Array, n: number, count: number): number[] {
  return Array.from({ length: n }, (_, k) => k)
    .sort((a, b) => (weights[b] as number) - (weights[a] as number))
    .slice(0, count);
}

/**
 * Rows through csv-stringify's synchronous API, a thousand at a time, handed to the stream in one
 * write: through csv-stringify's stream, a write a row cost about as much as deciding it.
 */
export class CsvFileWriter {
  private rows: (readonly string[])[] = [];

  constructor(private readonly out: Writable) {}

  row(fields: readonly string[]): void {
    this.rows.push(fields);
  }

  /** Whether enough is held to hand it to the stream. */
  get full(): boolean {
    return this.rows.length >= 1000;
  }

  async flush(): Promise<void> {
    if (!this.out.write(this.take())) await once(this.out, 'drain');
  }

  async end(): Promise<void> {
    const finished = once(this.out, 'finish');
    this.out.end(this.take());
    await finished;
  }

  private take(): string {
    const text = this.rows.length ? stringifySync(this.rows as string[][]) : '';
    this.rows = [];
    return text;
  }
}

function personalIdText(id: number): string {
  return String(id).padStart(12, '0');
}

/**
 * The residents a sequential scan's reservoir sample (algorithm R over the readable residents, one
 * draw each from the 2,001st) ends with, as 0-based indices in file order; advances `rng` as that
 * scan does.
 */
export function reservoirIndices(residents: number, rng: () => number): number[] {
  const chosen: number[] = [];
  for (let n = 1; n <= residents; n++) {
    if (chosen.length < RESERVOIR) chosen.push(n - 1);
    else {
      const j = Math.floor(rng() * n);
      if (j < RESERVOIR) chosen[j] = n - 1;
    }
  }
  return chosen;
}

interface ParallelPlan {
  readonly workers: number;
  readonly adminUnits: WorkerAdminUnits;
}

const WORKER_FILE = path.join(__dirname, `resident-scan.worker${path.extname(__filename)}`);

function parallelPlan(options: MatchFilesOptions, rules: readonly BlockingRule[]): ParallelPlan | undefined {
  const workers = Math.floor(options.workers ?? 1);
  if (workers < 2 || !options.workerAdminUnits || rules !== DEFAULT_BLOCKING_RULES) return undefined;
  if (options.workerAdminUnits === 'none' && options.adminUnits) return undefined;
  if (!existsSync(WORKER_FILE)) return undefined;
  return { workers, adminUnits: options.workerAdminUnits };
}

function startWorker(task: ScanTask): Worker {
  if (WORKER_FILE.endsWith('.ts')) {
    // From the sources (tests, `node -r tools/register.js`): compile the worker as the parent is.
    const project = process.env['SWC_NODE_PROJECT'] ?? findUp(__dirname, 'tsconfig.json');
    return new Worker(`require('@swc-node/register'); require(${JSON.stringify(WORKER_FILE)});`, {
      eval: true,
      workerData: task,
      env: { ...process.env, ...(project ? { SWC_NODE_PROJECT: project } : {}) },
    });
  }
  return new Worker(WORKER_FILE, { workerData: task });
}

function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, name)) && existsSync(path.join(d, 'nx.json'))) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

/** The header row, and `parts` byte ranges of whole rows after it (some may be empty). */
async function splitRows(file: string, size: number, parts: number): Promise<{ header: string[]; ranges: [number, number][] }> {
  const handle = await open(file, 'r');
  try {
    const lineEndAfter = async (pos: number): Promise<number> => {
      const buf = Buffer.alloc(1 << 16);
      for (let at = pos; at < size; at += buf.length) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, at);
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) return at + nl + 1;
        if (bytesRead === 0) break;
      }
      return size;
    };
    const headerEnd = await lineEndAfter(0);
    const headBuf = Buffer.alloc(headerEnd);
    await handle.read(headBuf, 0, headerEnd, 0);
    const header = (parseSync(headBuf, { bom: true, relax_column_count: true }) as string[][])[0] ?? [];
    const bounds = [headerEnd];
    for (let k = 1; k < parts; k++)
      bounds.push(Math.max(bounds[k - 1] as number, await lineEndAfter(headerEnd + Math.floor(((size - headerEnd) * k) / parts) - 1)));
    bounds.push(size);
    return { header, ranges: bounds.slice(0, -1).map((b, k) => [b, bounds[k + 1] as number]) };
  } finally {
    await handle.close();
  }
}

interface Scan {
  /** The records file, this thread's part prepared here and the workers' parts received (or read whole). */
  records(preparer: PersonPreparer): Promise<RecordFile>;
  /** Scans the first range in this thread with its records, waits for the workers, and joins the columns in file order. */
  finish(
    records: readonly (PreparedRecord | undefined)[],
    onBytes: (done: number) => void,
  ): Promise<{ scan: ScanColumns; header: string[]; cacheHitRate: number; rowAt: (k: number) => [number, number] }>;
  stop(): void;
}

// Chunks of the residents file a thread: enough that the threads finish together when one started
// later or runs slower (the scan's chunks are taken in turn), few enough that each is megabytes.
const CHUNKS_PER_THREAD = 8;
// Chunks of the records file a thread, likewise (a worker starts a second or so after this thread;
// a chunk of a hundred thousand records' file is prepared in a fifth of a second).
const RECORD_CHUNKS_PER_THREAD = 16;

/** Starts `workers - 1` worker threads; they and this thread (in `finish`) share out the residents file's chunks. */
async function startScan(file: string, recordsPath: string, workers: number, adminUnits: WorkerAdminUnits, size: number): Promise<Scan> {
  const { header, ranges: chunks } = await splitRows(file, size, workers * CHUNKS_PER_THREAD);
  const reader = residentReader(header);
  if (reader.missing.length) throw new Error(`${file}: missing column(s) ${reader.missing.join(', ')}`);
  // The worker threads' slots: worker w (from 1) is at w - 1; this thread is 0.
  const others = Array.from({ length: workers - 1 }, (_, k) => k);
  const nextChunk = new Int32Array(new SharedArrayBuffer(4));
  const nextRecordChunk = new Int32Array(new SharedArrayBuffer(4));
  const done = new Array<number>(workers).fill(0);
  let onBytes: (done: number) => void = () => undefined;
  const report = (w: number, bytes: number) => {
    done[w] = bytes;
    onBytes(done.reduce((a, b) => a + b, 0));
  };
  // The same task for every thread: the chunks are taken from the shared counters.
  const task: ScanTask = {
    kind: SCAN_WORKER_KIND,
    residentsPath: file,
    chunks,
    nextChunk,
    header,
    recordsPath,
    adminUnits,
    recordParts: { chunks: workers * RECORD_CHUNKS_PER_THREAD, nextChunk: nextRecordChunk },
  };
  const threads: Worker[] = [];
  // The chunks of the records file each worker prepared ('records'), in worker order.
  const parts = others.map(() => {
    let resolve: (chunks: RecordChunk[] | undefined) => void = () => undefined;
    const promise = new Promise<RecordChunk[] | undefined>((r) => (resolve = r));
    return { promise, resolve };
  });
  const inWorkers = others.map(
    (_, k) =>
      new Promise<Extract<ScanMessage, { type: 'done' }>>((resolve, reject) => {
        const w = k + 1;
        const worker = startWorker(task);
        threads.push(worker);
        worker.on('message', (m: ScanMessage) => {
          if (m.type === 'progress') report(w, m.bytes);
          else if (m.type === 'records') parts[k]?.resolve(m.chunks);
          else if (m.type === 'done') {
            resolve(m);
            void worker.terminate();
          } else reject(new Error(`${file}: ${m.message}`));
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`${file}: residents worker ${w} stopped with code ${code}`));
        });
      }),
  );
  // Not awaited until `finish`: a failure before then is reported there.
  for (const p of inWorkers) p.catch(() => undefined);
  // A worker that fails before sending its part fails the wait for it.
  const partOf = (k: number) => Promise.race([(parts[k] as (typeof parts)[number]).promise, (inWorkers[k] as Promise<unknown>).then(() => undefined)]);
  return {
    records: async (preparer) => {
      const plan = await planRecordParts(recordsPath, workers * RECORD_CHUNKS_PER_THREAD);
      if (!plan) return readRecordFile(recordsPath, preparer);
      const own = await prepareRecordChunks(recordsPath, preparer, plan, nextRecordChunk);
      const received = await Promise.all(others.map((_, k) => partOf(k)));
      if (received.some((p) => !p)) throw new Error(`${recordsPath}: a residents worker did not prepare its part of the records`);
      const byThread = [own, ...(received as RecordChunk[][])];
      // Each worker gets the chunks the other threads prepared.
      threads.forEach((t, k) => t.postMessage({ type: 'records', chunks: byThread.filter((_, j) => j !== k + 1).flat() } satisfies RecordPartsMessage));
      return joinRecordChunks(byThread.flat());
    },
    stop: () => {
      for (const t of threads) void t.terminate();
    },
    finish: async (records, bytes) => {
      onBytes = bytes;
      const first = await scanChunks(task, (b) => report(0, b), records);
      const results = [first, ...(await Promise.all(inWorkers))];
      const inFileOrder = results.flatMap((r) => r.chunks).sort((a, b) => a.chunk - b.chunk);
      return joinScans(inFileOrder, results.reduce((a, r) => a + r.cacheHitRate, 0) / results.length, header);
    },
  };
}

function joinScans(
  results: ScannedChunk[],
  cacheHitRate: number,
  header: string[],
): { scan: ScanColumns; header: string[]; cacheHitRate: number; rowAt: (k: number) => [number, number] } {
  // Concatenate in file order: the columns of one sequential scan.
  const concat = <T extends Uint32Array | Float64Array | Int8Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p as never, at);
      at += p.length;
    }
    return out;
  };
  const cols = results.map((r) => r.columns);
  const pairRecord = concat(
    cols.map((c) => c.pairRecord),
    (n) => new Uint32Array(n),
  );
  const pairResident = concat(
    cols.map((c) => c.pairResident),
    (n) => new Float64Array(n),
  );
  const pairVector = concat(
    cols.map((c) => c.pairVector),
    (n) => new Int8Array(n),
  );
  const mergeCounts = (lists: [string, number][][]): [string, number][] => {
    const m = new Map<string, number>();
    for (const list of lists) for (const [k, n] of list) m.set(k, (m.get(k) ?? 0) + n);
    return [...m];
  };
  const offsets: number[] = [];
  let sum = 0;
  for (const c of cols) {
    offsets.push(sum);
    sum += c.residents;
  }
  const rowAt = (k: number): [number, number] => {
    let w = offsets.length - 1;
    while ((offsets[w] as number) > k) w--;
    const r = results[w] as ScannedChunk;
    const local = k - (offsets[w] as number);
    return [r.rowStarts[local] as number, r.rowEnds[local] as number];
  };
  return {
    header,
    cacheHitRate,
    rowAt,
    scan: {
      pairRecord,
      pairResident,
      pairVector,
      pairsByRule: cols.reduce((acc, c) => acc.map((v, r) => v + (c.pairsByRule[r] ?? 0)), new Array<number>(cols[0]?.pairsByRule.length ?? 0).fill(0)),
      familyCounts: mergeCounts(cols.map((c) => c.familyCounts)),
      givenCounts: mergeCounts(cols.map((c) => c.givenCounts)),
      residents: sum,
      unreadableResidents: cols.reduce((a, c) => a + c.unreadableResidents, 0),
    },
  };
}

async function readResidentsAt(file: string, header: string[], preparer: PersonPreparer, rows: [number, number][]): Promise<PreparedResident[]> {
  const reader = residentReader(header);
  const handle = await open(file, 'r');
  try {
    const out: PreparedResident[] = [];
    for (const [start, end] of rows) {
      const buf = Buffer.alloc(end - start);
      await handle.read(buf, 0, buf.length, start);
      const row = (parseSync(buf, { relax_column_count: true }) as string[][])[0] ?? [];
      const input = reader.read(row);
      if (!input) throw new Error(`${file}: row at byte ${start} no longer reads as a resident`);
      out.push(preparer.prepareResident(input));
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** A uniform sample of at most `max` vectors (all of them when there are fewer). */
function sampleVectors(all: Int8Array, max: number, rng: () => number): Int8Array {
  const n = all.length / FIELD_COUNT;
  if (n <= max) return all;
  const out = new Int8Array(max * FIELD_COUNT);
  for (let k = 0; k < max; k++) {
    const p = Math.floor(rng() * n) * FIELD_COUNT;
    // Copied field by field: a view per vector (two million of them) cost more than the copy.
    for (let f = 0; f < FIELD_COUNT; f++) out[k * FIELD_COUNT + f] = all[p + f] as number;
  }
  return out;
}

class PeakMemory {
  peakRss = 0;
  peakHeap = 0;
  private readonly timer = setInterval(() => this.sample(), 250);

  constructor() {
    this.timer.unref();
    this.sample();
  }

  sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
