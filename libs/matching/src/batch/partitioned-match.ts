import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import * as path from 'node:path';
import { parse } from 'csv-parse';
import { stringify, type Stringifier } from 'csv-stringify';
import type { AdminUnitLookup } from '../comparison/admin-unit-lookup.port';
import { FellegiSunterModel, type MatchModelJson } from '../model/fellegi-sunter.model';
import { NameFrequencyTable } from '../model/name-frequency.table';
import { PersonPreparer } from '../model/person.preparer';
import { childRecordReader, residentReader } from '../parsing/csv-header.mapper';
import { CrossProvinceProbe } from './cross-province-probe';
import { matchFiles, type MatchSummary } from './match-files';
import type { WorkerAdminUnits } from './resident-scan.worker';

/**
 * Offline matching split by province, so that each province can run on its own machine (one pod
 * of a Kubernetes Indexed Job), then merged. The rules (docs/matching.md, "Partitions"):
 *
 * - a record goes to the partition of the one province it states or whose commune it names; a
 *   resident to the partition(s) of the province(s) of its residence commune;
 * - every partition is decided with one model fitted once, and names weighed by their frequencies
 *   among all residents (counted while splitting), so that a pair weighs what it weighs nationally;
 * - the cross-province pass: records whose partition did not link them (the child may have moved,
 *   or the record names the wrong place), records that share a blocking key with a resident of
 *   another province (found while splitting: a rival the partition never sees), and records with
 *   no single province (none stated, an ambiguous commune name, an unreadable row), are matched
 *   against all residents; their decision is the cross pass's. So every record is decided over the
 *   candidates a national run finds for it, and the links are those of a single run with the same
 *   model;
 * - the links file lists every record once, in the input order, as a single run does.
 */
export interface PartitionPlan {
  readonly format: 'childledger-match-partitions';
  readonly version: 2;
  readonly by: 'province';
  readonly residentsPath: string;
  readonly recordsPath: string;
  readonly records: number;
  readonly residents: number;
  readonly partitions: readonly PartitionEntry[];
  /** Records with no single province (or unreadable): matched in the cross pass only. */
  readonly unplacedRecords: number;
  /** Residents with no known commune: found only in the cross pass. */
  readonly unplacedResidents: number;
  /**
   * Records of a partition that share a blocking key with a resident outside it (JSON list of
   * their refs at `exposedPath`): linked in their partition or not, they are decided in the cross
   * pass, over the same candidates as a national run.
   */
  readonly exposedRecords: number;
  readonly exposedPath: string;
  /** The model every partition uses (with national name frequencies). */
  readonly modelPath: string;
}

export interface PartitionEntry {
  readonly name: string;
  readonly records: number;
  readonly residents: number;
  readonly recordsPath: string;
  readonly residentsPath: string;
  readonly linksPath: string;
}

export interface PartitionOptions {
  readonly adminUnits?: AdminUnitLookup;
  readonly workers?: number;
  readonly workerAdminUnits?: WorkerAdminUnits;
  readonly seed?: number;
}

const PLAN_FILE = 'partitions.json';

/**
 * Splits both files by province into `workDir` (CSV files with the original headers and rows, in
 * the original order) and writes the plan. A given model is used as it is (its saved name
 * frequencies included); without one, it is fitted on the largest partition and given the
 * national name frequencies counted here.
 */
export async function splitByProvince(
  options: PartitionOptions & { residentsPath: string; recordsPath: string; workDir: string; model?: MatchModelJson },
): Promise<PartitionPlan> {
  const { workDir } = options;
  await mkdir(workDir, { recursive: true });
  const preparer = new PersonPreparer(options.adminUnits);
  const outputs = new Map<string, { records: Writer; residents: Writer; recordCount: number; residentCount: number }>();
  let recordsHeader: string[] = [];
  let residentsHeader: string[] = [];
  const partition = (name: string) => {
    let o = outputs.get(name);
    if (!o) {
      o = {
        records: new Writer(path.join(workDir, `records-${name}.csv`), recordsHeader),
        residents: new Writer(path.join(workDir, `residents-${name}.csv`), residentsHeader),
        recordCount: 0,
        residentCount: 0,
      };
      outputs.set(name, o);
    }
    return o;
  };

  // Records first: by their one province (the others are left to the cross pass), indexed by
  // their blocking keys so that the residents can tell which records have a candidate elsewhere.
  const probe = new CrossProvinceProbe();
  let records = 0;
  let unplacedRecords = 0;
  {
    let reader: ReturnType<typeof childRecordReader> | undefined;
    let rowNumber = 1;
    for await (const row of readCsv(options.recordsPath)) {
      if (!reader) {
        recordsHeader = row;
        reader = childRecordReader(row);
        continue;
      }
      rowNumber++;
      records++;
      const result = reader.read(row, rowNumber);
      const prepared = result.ok ? preparer.prepareRecord(result.value) : undefined;
      const provinces = prepared?.provinces ?? [];
      if (!prepared || provinces.length !== 1) {
        unplacedRecords++;
        continue;
      }
      probe.addRecord(prepared, provinces[0] as string);
      const o = partition(provinces[0] as string);
      o.recordCount++;
      await o.records.write(row);
    }
  }
  // Residents: by the province(s) of the residence commune; name counts for the national frequencies.
  const family = new Map<string, number>();
  const given = new Map<string, number>();
  let residents = 0;
  let unplacedResidents = 0;
  {
    let reader: ReturnType<typeof residentReader> | undefined;
    for await (const row of readCsv(options.residentsPath)) {
      if (!reader) {
        residentsHeader = row;
        for (const o of outputs.values()) o.residents.header = row;
        reader = residentReader(row);
        continue;
      }
      const input = reader.read(row);
      if (!input) continue;
      residents++;
      const resident = preparer.prepareResident(input);
      increment(family, resident.name.familyFolded);
      increment(given, resident.name.givenFolded);
      if (!resident.provinces.length) unplacedResidents++;
      probe.scan(resident);
      for (const p of resident.provinces) {
        const o = partition(p);
        o.residentCount++;
        await o.residents.write(row);
      }
    }
  }
  for (const o of outputs.values()) await Promise.all([o.records.end(), o.residents.end()]);

  const partitions = [...outputs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, o]) => ({
      name,
      records: o.recordCount,
      residents: o.residentCount,
      recordsPath: path.join(workDir, `records-${name}.csv`),
      residentsPath: path.join(workDir, `residents-${name}.csv`),
      linksPath: path.join(workDir, `links-${name}.csv`),
    }));
  const modelPath = path.join(workDir, 'model.json');
  let model = options.model;
  if (!model) {
    // Fitted once, on the partition with the most records; the weights of names are national.
    const largest = [...partitions].sort((a, b) => b.records - a.records)[0];
    if (!largest) throw new Error('splitByProvince: no record or resident has a province');
    const fitPath = path.join(workDir, 'model-fit.json');
    await matchFiles({
      residentsPath: largest.residentsPath,
      recordsPath: largest.recordsPath,
      outPath: path.join(workDir, 'links-model-fit.csv'),
      adminUnits: options.adminUnits,
      saveModelPath: fitPath,
      seed: options.seed,
      workers: options.workers,
      workerAdminUnits: options.workerAdminUnits,
    });
    const fitted = FellegiSunterModel.fromJson(JSON.parse(await readFile(fitPath, 'utf8')) as MatchModelJson);
    model = fitted.withFrequencies(NameFrequencyTable.fromCounts(residents, family, given)).toJson();
  }
  await writeFile(modelPath, JSON.stringify(model, null, 2));
  const exposedPath = path.join(workDir, 'records-exposed.json');
  const exposed = probe.exposed();
  await writeFile(exposedPath, JSON.stringify(exposed));
  const plan: PartitionPlan = {
    format: 'childledger-match-partitions',
    version: 2,
    by: 'province',
    residentsPath: options.residentsPath,
    recordsPath: options.recordsPath,
    records,
    residents,
    partitions,
    unplacedRecords,
    unplacedResidents,
    exposedRecords: exposed.length,
    exposedPath,
    modelPath,
  };
  await writeFile(path.join(workDir, PLAN_FILE), JSON.stringify(plan, null, 2));
  return plan;
}

export async function readPlan(workDir: string): Promise<PartitionPlan> {
  const plan = JSON.parse(await readFile(path.join(workDir, PLAN_FILE), 'utf8')) as PartitionPlan;
  if (plan.format !== 'childledger-match-partitions' || plan.version !== 2) throw new Error(`${workDir}: not a partition plan`);
  return plan;
}

/** Matches one partition (records of a province against its residents): one pod's work. */
export async function matchPartition(plan: PartitionPlan, index: number, options: PartitionOptions = {}): Promise<MatchSummary> {
  const p = plan.partitions[index];
  if (!p) throw new Error(`partition index ${index} out of range (0–${plan.partitions.length - 1})`);
  const model = JSON.parse(await readFile(plan.modelPath, 'utf8')) as MatchModelJson;
  return matchFiles({
    residentsPath: p.residentsPath,
    recordsPath: p.recordsPath,
    outPath: p.linksPath,
    adminUnits: options.adminUnits,
    model,
    modelFrequencies: true,
    workers: options.workers,
    workerAdminUnits: options.workerAdminUnits,
  });
}

export interface MergeSummary {
  readonly records: number;
  /** Records linked in their partition whose link stands (no candidate outside the partition). */
  readonly linkedInPartitions: number;
  /** Records linked in their partition but decided in the cross pass (a candidate outside it). */
  readonly linkedButExposed: number;
  /** Records matched against all residents (not linked in their partition, with a candidate outside it, or with no single province). */
  readonly crossProvinceRecords: number;
  readonly cross: MatchSummary;
  readonly decisions: Record<string, number>;
}

/**
 * The cross-province pass and the merge: records not linked in their partition, records linked
 * there that have a candidate outside it (the split's probe), and those with no single province,
 * are matched against the whole residents file with the same model; then every record is written
 * once, in input order, with its partition's row when linked there with no candidate elsewhere,
 * and the cross pass's otherwise. Each record is thus decided over the candidates a national run
 * finds for it: with the same model, the links are the single run's.
 */
export async function mergePartitions(plan: PartitionPlan, outPath: string, workDir: string, options: PartitionOptions = {}): Promise<MergeSummary> {
  const linkedLocally = new Map<string, string[]>();
  const exposed = new Set(JSON.parse(await readFile(plan.exposedPath, 'utf8')) as string[]);
  let linkedInPartitions = 0;
  let linkedButExposed = 0;
  let header: string[] = [];
  for (const p of plan.partitions) {
    let first = true;
    for await (const row of readCsv(p.linksPath)) {
      if (first) {
        header = row;
        first = false;
      } else if (row[1] === 'linked') {
        if (exposed.has(row[0] as string)) linkedButExposed++;
        else {
          linkedLocally.set(row[0] as string, row);
          linkedInPartitions++;
        }
      }
    }
  }
  // Records to the cross pass: every row of the records file whose ref was not linked locally.
  // Unreadable rows go too, so that their explanation names their row in the original file... which
  // the cross file would renumber: they are kept aside and written as the single run writes them.
  const crossPath = path.join(workDir, 'records-cross.csv');
  const cross = new Writer(crossPath, []);
  let crossRecords = 0;
  {
    let reader: ReturnType<typeof childRecordReader> | undefined;
    let rowNumber = 1;
    for await (const row of readCsv(plan.recordsPath)) {
      if (!reader) {
        reader = childRecordReader(row);
        cross.header = row;
        continue;
      }
      rowNumber++;
      const result = reader.read(row, rowNumber);
      if (!result.ok || !linkedLocally.has(result.value.recordRef)) {
        crossRecords++;
        await cross.write(row);
      }
    }
  }
  await cross.end();
  const model = JSON.parse(await readFile(plan.modelPath, 'utf8')) as MatchModelJson;
  const crossLinks = path.join(workDir, 'links-cross.csv');
  const crossSummary = await matchFiles({
    residentsPath: plan.residentsPath,
    recordsPath: crossPath,
    outPath: crossLinks,
    adminUnits: options.adminUnits,
    model,
    modelFrequencies: true,
    workers: options.workers,
    workerAdminUnits: options.workerAdminUnits,
  });
  const crossRows: string[][] = [];
  {
    let first = true;
    for await (const row of readCsv(crossLinks)) {
      if (first) first = false;
      else crossRows.push(row);
    }
  }

  // Merge in input order.
  const out = new Writer(outPath, header.length ? header : ['record_ref', 'decision', 'personal_id', 'score', 'candidates', 'explanation']);
  const decisions: Record<string, number> = { linked: 0, review: 0, no_match: 0 };
  {
    let reader: ReturnType<typeof childRecordReader> | undefined;
    let rowNumber = 1;
    let k = 0;
    for await (const row of readCsv(plan.recordsPath)) {
      if (!reader) {
        reader = childRecordReader(row);
        continue;
      }
      rowNumber++;
      const result = reader.read(row, rowNumber);
      let line = result.ok ? linkedLocally.get(result.value.recordRef) : undefined;
      if (!line) {
        line = crossRows[k++];
        if (!line) throw new Error('mergePartitions: the cross pass wrote fewer rows than it was given');
        if (!result.ok) {
          // As a single run reports it: the row number in the original file.
          line = [
            `row-${rowNumber}`,
            'no_match',
            '',
            '0',
            '',
            `Not matched: the row could not be read (row ${rowNumber}, column ${result.column ?? '?'}: ${result.reason})`,
          ];
        }
      }
      decisions[line[1] as string] = (decisions[line[1] as string] ?? 0) + 1;
      await out.write(line);
    }
  }
  await out.end();
  return { records: plan.records, linkedInPartitions, linkedButExposed, crossProvinceRecords: crossRecords, cross: crossSummary, decisions };
}

export interface PartitionedRunSummary {
  readonly plan: PartitionPlan;
  readonly partitions: readonly {
    readonly name: string;
    readonly records: number;
    readonly residents: number;
    readonly durationMs: number;
    readonly peakRssBytes: number;
  }[];
  readonly merge: MergeSummary;
  readonly splitMs: number;
  readonly mergeMs: number;
  readonly durationMs: number;
}

/** Split, every partition in turn (here; one per pod in Kubernetes), the cross pass and the merge. */
export async function matchPartitioned(
  options: PartitionOptions & { residentsPath: string; recordsPath: string; outPath: string; workDir: string; model?: MatchModelJson },
): Promise<PartitionedRunSummary> {
  const started = Date.now();
  const plan = await splitByProvince(options);
  const splitMs = Date.now() - started;
  const partitions = [];
  for (let i = 0; i < plan.partitions.length; i++) {
    const s = await matchPartition(plan, i, options);
    const p = plan.partitions[i] as PartitionEntry;
    partitions.push({ name: p.name, records: p.records, residents: p.residents, durationMs: s.durationMs, peakRssBytes: s.peakRssBytes });
  }
  const mergeStarted = Date.now();
  const merge = await mergePartitions(plan, options.outPath, options.workDir, options);
  return { plan, partitions, merge, splitMs, mergeMs: Date.now() - mergeStarted, durationMs: Date.now() - started };
}

async function* readCsv(file: string): AsyncGenerator<string[]> {
  for await (const row of createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true }),
  ) as AsyncIterable<string[]>) {
    yield row;
  }
}

function increment(map: Map<string, number>, key: string): void {
  if (key) map.set(key, (map.get(key) ?? 0) + 1);
}

/** A CSV file written row by row with back-pressure; the header is written with the first row or at the end. */
class Writer {
  private csv: Stringifier | undefined;
  private file: WriteStream | undefined;

  constructor(
    private readonly filePath: string,
    public header: string[],
  ) {}

  private open(): Stringifier {
    if (!this.csv) {
      this.file = createWriteStream(this.filePath);
      this.csv = stringify();
      this.csv.pipe(this.file);
      this.csv.write(this.header);
    }
    return this.csv;
  }

  async write(row: readonly string[]): Promise<void> {
    const csv = this.open();
    if (!csv.write(row)) await once(csv, 'drain');
  }

  async end(): Promise<void> {
    const csv = this.open();
    csv.end();
    await once(this.file as WriteStream, 'finish');
  }
}
