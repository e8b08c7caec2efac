import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import type { AdminUnitLookup } from '../comparison/admin-unit-lookup.port';
import { FIELD_COUNT, comparePair } from '../comparison/comparison-levels';
import { DEFAULT_BLOCKING_RULES, type BlockingRule } from '../blocking/blocking-rules';
import { FellegiSunterModel, type MatchModelJson, type MatchThresholds } from '../model/fellegi-sunter.model';
import { NameFrequencyTable } from '../model/name-frequency.table';
import type { PreparedRecord, PreparedResident } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { candidateProbabilities, decisionFor, explainFields, explanationText, recordWarnings } from '../engine/match.engine';
import type { MatchDecisionKind } from '../engine/match-decision.model';
import { childRecordReader, residentReader } from '../parsing/csv-header.mapper';
import { SeededRandom } from '@childledger/random';
import { GrowableArray } from './growable-array';

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
  readonly thresholds?: MatchThresholds;
  /** Where to save the fitted model (JSON), to reload it with `model`. */
  readonly saveModelPath?: string;
  readonly blockingRules?: readonly BlockingRule[];
  /** record_ref → true personal_id ('' when the child has no national record), for measuring quality. */
  readonly groundTruth?: ReadonlyMap<string, string>;
  readonly seed?: number;
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
  readonly peakRssBytes: number;
  readonly peakHeapUsedBytes: number;
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

  // 1. Records: read, prepare, index by probe keys.
  const records: (PreparedRecord | undefined)[] = [];
  const refs: string[] = [];
  const unreadable = new Map<number, string>();
  const index = new Map<string, number | number[]>();
  {
    let reader: ReturnType<typeof childRecordReader> | undefined;
    let rowNumber = 1;
    for await (const row of createReadStream(options.recordsPath).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true })) as AsyncIterable<
      string[]
    >) {
      if (!reader) {
        reader = childRecordReader(row);
        if (reader.missing.length) throw new Error(`${options.recordsPath}: missing column(s) ${reader.missing.join(', ')}`);
        continue;
      }
      rowNumber++;
      const i = records.length;
      const result = reader.read(row, rowNumber);
      if (!result.ok) {
        records.push(undefined);
        refs.push(`row-${rowNumber}`);
        unreadable.set(i, `row ${rowNumber}, column ${result.column ?? '?'}: ${result.reason}`);
        continue;
      }
      const prepared = preparer.prepareRecord(result.value);
      records.push(prepared);
      refs.push(prepared.recordRef);
      for (const rule of rules) {
        for (const key of rule.recordKeys(prepared)) {
          const existing = index.get(key);
          if (existing === undefined) index.set(key, i);
          else if (typeof existing === 'number') index.set(key, existing === i ? i : [existing, i]);
          else if (existing[existing.length - 1] !== i) existing.push(i);
        }
      }
      if (records.length % 10_000 === 0) progress({ phase: 'records', done: records.length });
    }
    progress({ phase: 'records', done: records.length });
  }
  memory.sample();

  // 2. Residents: stream once; compare with the records that share a key.
  const pairRecord = new GrowableArray(Uint32Array, 1, 1 << 16);
  const pairResident = new GrowableArray(Float64Array, 1, 1 << 16);
  const pairVector = new GrowableArray(Int8Array, FIELD_COUNT, 1 << 16);
  const pairRules = new GrowableArray(Uint16Array, 1, 1 << 16);
  const pairsByRule = new Array<number>(rules.length).fill(0);
  const familyCounts = new Map<string, number>();
  const givenCounts = new Map<string, number>();
  const reservoir: PreparedResident[] = [];
  let residents = 0;
  let unreadableResidents = 0;
  {
    const total = statSync(options.residentsPath).size;
    let bytes = 0;
    let lastReport = 0;
    const file = createReadStream(options.residentsPath, { highWaterMark: 1 << 20 });
    file.on('data', (chunk) => {
      bytes += chunk.length;
    });
    let reader: ReturnType<typeof residentReader> | undefined;
    const hits = new Map<number, number>();
    for await (const row of file.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true })) as AsyncIterable<string[]>) {
      if (!reader) {
        reader = residentReader(row);
        if (reader.missing.length) throw new Error(`${options.residentsPath}: missing column(s) ${reader.missing.join(', ')}`);
        continue;
      }
      const input = reader.read(row);
      if (!input) {
        unreadableResidents++;
        continue;
      }
      residents++;
      const resident = preparer.prepareResident(input);
      increment(familyCounts, resident.name.familyFolded);
      increment(givenCounts, resident.name.givenFolded);
      if (reservoir.length < RESERVOIR) reservoir.push(resident);
      else {
        const j = Math.floor(rng() * residents);
        if (j < RESERVOIR) reservoir[j] = resident;
      }
      hits.clear();
      for (let r = 0; r < rules.length; r++) {
        for (const key of (rules[r] as BlockingRule).residentKeys(resident)) {
          const found = index.get(key);
          if (found === undefined) continue;
          if (typeof found === 'number') hits.set(found, (hits.get(found) ?? 0) | (1 << r));
          else for (const i of found) hits.set(i, (hits.get(i) ?? 0) | (1 << r));
        }
      }
      const id = Number(resident.personalId);
      for (const [i, mask] of hits) {
        const record = records[i] as PreparedRecord;
        pairRecord.push(i);
        pairResident.push(id);
        pairRules.push(mask);
        const at = pairVector.pushRow();
        comparePair(record, resident, pairVector.array.subarray(at, at + FIELD_COUNT));
        for (let r = 0; r < rules.length; r++) if (mask & (1 << r)) pairsByRule[r] = (pairsByRule[r] ?? 0) + 1;
      }
      if (residents - lastReport >= 50_000) {
        lastReport = residents;
        memory.sample();
        progress({ phase: 'residents', done: bytes, total });
      }
    }
    progress({ phase: 'residents', done: total, total });
  }
  memory.sample();

  // 3. Model: u from random pairs, m by EM on the candidate pairs, name frequencies from residents.
  progress({ phase: 'training', done: 0 });
  const frequencies = NameFrequencyTable.fromCounts(residents, familyCounts, givenCounts);
  let model: FellegiSunterModel;
  if (options.model) {
    model = FellegiSunterModel.fromJson(options.model).withFrequencies(frequencies);
  } else {
    model = FellegiSunterModel.withPriors();
    const readable = records.filter((r): r is PreparedRecord => !!r);
    if (readable.length && reservoir.length) {
      const random = new Int8Array(RANDOM_PAIRS * FIELD_COUNT);
      for (let k = 0; k < RANDOM_PAIRS; k++) {
        const rec = readable[Math.floor(rng() * readable.length)] as PreparedRecord;
        const res = reservoir[Math.floor(rng() * reservoir.length)] as PreparedResident;
        comparePair(rec, res, random.subarray(k * FIELD_COUNT, (k + 1) * FIELD_COUNT));
      }
      model.estimateU(random);
    }
    if (pairRecord.length > 0) {
      const fit = model.fitEm(sampleVectors(pairVector.view(), MAX_EM_PAIRS, rng));
      model.setMatchPrior(fit.lambda * pairRecord.length, readable.length, residents);
    }
    model = model.withFrequencies(frequencies);
  }
  if (options.thresholds) model = model.withThresholds(options.thresholds);
  if (options.saveModelPath) await writeFile(options.saveModelPath, JSON.stringify(model.toJson(), null, 2));
  memory.sample();

  // 4. Decide per record, in input order; write every record exactly once.
  const pairCount = pairRecord.length;
  const start = new Uint32Array(records.length + 1);
  const recordOfPair = pairRecord.view();
  for (let p = 0; p < pairCount; p++) {
    const at = (recordOfPair[p] as number) + 1;
    start[at] = (start[at] as number) + 1;
  }
  for (let i = 0; i < records.length; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const order = new Uint32Array(pairCount);
  {
    const fill = start.slice(0, records.length);
    for (let p = 0; p < pairCount; p++) {
      const r = recordOfPair[p] as number;
      order[fill[r] as number] = p;
      fill[r] = (fill[r] as number) + 1;
    }
  }
  const decisions: Record<MatchDecisionKind, number> = { linked: 0, review: 0, no_match: 0 };
  const q = { withTruth: 0, withRecord: 0, blocked: 0, linked: 0, linkedRight: 0, reviewRight: 0, review: 0, noRecord: 0, noRecordLinked: 0 };
  let recordsWithoutCandidates = 0;
  const out = createWriteStream(options.outPath);
  const csv = stringify({ header: true, columns: ['record_ref', 'decision', 'personal_id', 'score', 'candidates', 'explanation'] });
  csv.pipe(out);
  const vectors = pairVector.array;
  const ids = pairResident.array;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const ref = refs[i] as string;
    let decision: MatchDecisionKind = 'no_match';
    let chosen = '';
    let bestRef = '';
    let row: (string | number)[];
    if (!record) {
      row = [ref, 'no_match', '', 0, '', `Not matched: the row could not be read (${unreadable.get(i) ?? ''})`];
    } else {
      const from = start[i] as number;
      const to = start[i + 1] as number;
      const n = to - from;
      if (n === 0) recordsWithoutCandidates++;
      const weights = new Array<number>(n);
      for (let k = 0; k < n; k++) {
        const p = order[from + k] as number;
        weights[k] = model.matchWeight(vectors.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT), record.name);
      }
      const probabilities = candidateProbabilities(weights, model.priorBits);
      const ranked = weights.map((_, k) => k).sort((a, b) => (weights[b] as number) - (weights[a] as number));
      const warnings = recordWarnings(record);
      const best = ranked[0];
      if (best === undefined) {
        row = [ref, 'no_match', '', 0, '', ['No candidate resident found', ...warnings.map((w) => `Warning: ${w}`)].join('; ')];
      } else {
        const p = order[from + best] as number;
        const probability = probabilities[best] as number;
        decision = decisionFor(probability, model, vectors.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT));
        bestRef = personalIdText(ids[p] as number);
        chosen = decision === 'no_match' ? '' : bestRef;
        const fields = explainFields(model, vectors.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT), record.name);
        const candidates =
          decision === 'review'
            ? ranked
                .slice(0, CANDIDATES_IN_OUTPUT)
                .map((k) => `${personalIdText(ids[order[from + k] as number] as number)}:${(probabilities[k] as number).toFixed(4)}`)
                .join(';')
            : '';
        const head = `Best candidate ${bestRef}: match weight ${(weights[best] as number).toFixed(1)}, probability ${probability.toFixed(4)} among ${n} candidate(s)`;
        row = [ref, decision, chosen, probability.toFixed(4), candidates, `${head}. ${explanationText(fields, warnings)}`];
      }
      const truth = options.groundTruth?.get(record.recordRef);
      if (truth !== undefined) {
        q.withTruth++;
        if (truth) {
          q.withRecord++;
          const truthNumber = Number(truth);
          for (let k = from; k < to; k++) if (ids[order[k] as number] === truthNumber) q.blocked++;
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
    if (!csv.write(row)) await once(csv, 'drain');
    if (i % 10_000 === 0) progress({ phase: 'deciding', done: i, total: records.length });
  }
  csv.end();
  await once(out, 'finish');
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
    model: { ...model.toJson().training, lambda: model.priorMatchProbability },
    durationMs: Date.now() - started,
    peakRssBytes: memory.peakRss,
    peakHeapUsedBytes: memory.peakHeap,
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

function personalIdText(id: number): string {
  return String(id).padStart(12, '0');
}

function increment(map: Map<string, number>, key: string): void {
  if (key) map.set(key, (map.get(key) ?? 0) + 1);
}

/** A uniform sample of at most `max` vectors (all of them when there are fewer). */
function sampleVectors(all: Int8Array, max: number, rng: () => number): Int8Array {
  const n = all.length / FIELD_COUNT;
  if (n <= max) return all;
  const out = new Int8Array(max * FIELD_COUNT);
  for (let k = 0; k < max; k++) {
    const p = Math.floor(rng() * n);
    out.set(all.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT), k * FIELD_COUNT);
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
