// Where the missed true links of the offline match come from (issue 16, recall): generates (or
// reuses) a scenario, matches it, and counts the records with a national record that were not
// linked to it by the classes of noise the generator applied (read back from the record against
// the true child) and by why they were missed. Prints counts only, never a name.
//
//   node -r ./tools/register.js tools/bench/match-recall.ts SEED RESIDENTS RECORDS [--workers N]
//
// The files are those of `npm run bench -- match` for the same seed and sizes
// (/tmp/childledger-match-bench-SEED-RESIDENTS-RECORDS); one JSON line at the end.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import {
  COMPARISONS,
  FellegiSunterModel,
  MISSING,
  PersonPreparer,
  adminUnitLookupFor,
  childRecordReader,
  comparePair,
  matchFiles,
  residentReader,
  type MatchModelJson,
} from '@childledger/matching';
import { generateScenario, writeRecordsCsv, writeResidentsCsv, writeTruthCsv, type ChildRecordRow, type TrueChild } from '@childledger/testing';

async function main(): Promise<void> {
  const [seedArg, residentsArg, recordsArg] = process.argv.slice(2);
  const seed = Number(seedArg ?? 20250701);
  const residentsTarget = Number(residentsArg ?? 200_000);
  const recordCount = Number(recordsArg ?? 20_000);
  const workersAt = process.argv.indexOf('--workers');
  const workers = workersAt > 0 ? Number(process.argv[workersAt + 1]) : 2;
  const modelAt = process.argv.indexOf('--save-model');
  const dir = path.join(tmpdir(), `childledger-match-bench-${seed}-${residentsTarget}-${recordCount}`);
  const files = { residents: path.join(dir, 'residents.csv'), records: path.join(dir, 'records.csv'), truth: path.join(dir, 'truth.csv') };
  const log = (s: string) => process.stderr.write(`[recall] ${s}\n`);

  // The generator is deterministic: the same call as the bench's gives the same rows, and the true children behind them.
  const scenario = generateScenario({ seed, households: Math.round(residentsTarget / 4.2), records: recordCount });
  if (!existsSync(files.truth)) {
    mkdirSync(dir, { recursive: true });
    await writeResidentsCsv(files.residents, scenario.residents);
    await writeRecordsCsv(files.records, scenario.records);
    await writeTruthCsv(files.truth, scenario.truth);
    log(`generated ${scenario.residents.length} residents, ${scenario.records.length} records into ${dir}`);
  }
  const onFile = parse(readFileSync(files.records, 'utf8'), { columns: true }) as ChildRecordRow[];
  if (onFile.length !== scenario.records.length || onFile.some((r, i) => r.full_name !== scenario.records[i]?.full_name)) {
    throw new Error(`${files.records} is not the generator's output for seed ${seed}`);
  }

  const units = adminUnitLookupFor(loadAdministrativeUnits());
  const out = path.join(dir, `links-recall-${process.pid}.csv`);
  const started = Date.now();
  const summary = await matchFiles({
    residentsPath: files.residents,
    recordsPath: files.records,
    outPath: out,
    adminUnits: units,
    groundTruth: scenario.truth,
    workers,
    workerAdminUnits: 'national',
    saveModelPath: modelAt > 0 ? process.argv[modelAt + 1] : path.join(dir, `model-recall-${process.pid}.json`),
  });
  const matchMs = Date.now() - started;
  const model = FellegiSunterModel.fromJson(
    JSON.parse(
      readFileSync(modelAt > 0 ? (process.argv[modelAt + 1] as string) : path.join(dir, `model-recall-${process.pid}.json`), 'utf8'),
    ) as MatchModelJson,
  );
  const links = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];

  const preparer = new PersonPreparer(units);
  const residentHeader = Object.keys(scenario.residents[0] ?? {});
  const resReader = residentReader(residentHeader);
  const byId = new Map(scenario.residents.map((r) => [r.personal_id, r]));
  // Twins: another child of the same mother born the same day. Namesakes: the same folded full name in the same commune.
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().trim();
  const twinKey = new Map<string, number>();
  const nameKey = new Map<string, number>();
  for (const r of scenario.residents) {
    if (r.mother_personal_id) twinKey.set(`${r.mother_personal_id}|${r.date_of_birth}`, (twinKey.get(`${r.mother_personal_id}|${r.date_of_birth}`) ?? 0) + 1);
    const k = `${fold(r.full_name)}|${r.residence_commune_code}`;
    nameKey.set(k, (nameKey.get(k) ?? 0) + 1);
  }
  const recReader = childRecordReader(Object.keys(scenario.records[0] ?? {}));

  const classes = new Map<string, { n: number; missed: number; review: number; noMatch: number }>();
  const reasons = new Map<string, number>();
  let withRecord = 0;
  let missed = 0;
  const add = (cls: string, miss: boolean, decision: string) => {
    const c = classes.get(cls) ?? { n: 0, missed: 0, review: 0, noMatch: 0 };
    c.n++;
    if (miss) {
      c.missed++;
      if (decision === 'review') c.review++;
      else if (decision === 'no_match') c.noMatch++;
    }
    classes.set(cls, c);
  };
  scenario.records.forEach((row, i) => {
    const child = scenario.children[i] as TrueChild;
    const truth = child.personalId;
    if (!truth) return;
    withRecord++;
    const link = links[i] as Record<string, string>;
    const miss = !(link['decision'] === 'linked' && link['personal_id'] === truth);
    if (miss) missed++;
    const labels = noiseClasses(row, child, fold);
    const resident = byId.get(truth);
    if (resident?.mother_personal_id && (twinKey.get(`${resident.mother_personal_id}|${resident.date_of_birth}`) ?? 0) > 1) labels.push('rival:twin');
    if (resident && (nameKey.get(`${fold(resident.full_name)}|${resident.residence_commune_code}`) ?? 0) > 1) labels.push('rival:namesake_in_commune');
    // The engine's view of the true pair: the level of each field.
    const read = recReader.read(Object.values(row), i + 2);
    const input = resident ? resReader.read(Object.values(resident)) : undefined;
    let vector: Int8Array | undefined;
    if (read.ok && input) {
      vector = comparePair(preparer.prepareRecord(read.value), preparer.prepareResident(input));
      COMPARISONS.forEach((c, f) => {
        const l = vector?.[f] as number;
        labels.push(`level:${c.field}=${l === MISSING ? 'missing' : c.levels[l]?.id}`);
      });
    }
    for (const l of labels) add(l, miss, link['decision'] as string);
    add('all', miss, link['decision'] as string);
    if (miss) {
      const reason = whyMissed(link, truth, vector, model);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  });

  const table = [...classes.entries()]
    .map(([cls, c]) => ({
      class: cls,
      records: c.n,
      missed: c.missed,
      review: c.review,
      noMatch: c.noMatch,
      missRate: round(c.missed / c.n),
      shareOfMissed: round(c.missed / missed),
    }))
    .sort((a, b) => b.missed - a.missed);
  for (const t of table.filter((t) => t.missed > 0 || t.class.startsWith('dob:'))) {
    log(
      `${t.class.padEnd(44)} records ${String(t.records).padStart(6)}  missed ${String(t.missed).padStart(4)} (review ${t.review}, no_match ${t.noMatch})  miss rate ${(100 * t.missRate).toFixed(1)}%  share of missed ${(100 * t.shareOfMissed).toFixed(1)}%`,
    );
  }
  log(`why missed: ${JSON.stringify(Object.fromEntries([...reasons.entries()].sort((a, b) => b[1] - a[1])))}`);
  process.stdout.write(
    `${JSON.stringify({ seed, residents: summary.residents, records: summary.records, withRecord, missed, quality: summary.quality, decisions: summary.decisions, matchMs, reasons: Object.fromEntries(reasons), classes: table })}\n`,
  );
}

/** The noise the generator applied to this record, read back from the row against the true child. */
function noiseClasses(row: ChildRecordRow, child: TrueChild, fold: (s: string) => string): string[] {
  const out: string[] = [];
  const dob = row.date_of_birth.trim();
  const [y, m, d] = child.dateOfBirth.split('-').map(Number) as [number, number, number];
  if (!dob) out.push('dob:missing');
  else if (/^\d{4}$/.test(dob)) out.push('dob:year_only');
  else if (/^\d{1,2}\/\d{4}$/.test(dob)) out.push('dob:month_year_only');
  else {
    const parts = dob.includes('-') && dob.indexOf('-') === 4 ? dob.split('-').map(Number) : dob.split(/[/-]/).map(Number).reverse();
    const [yy, mm, dd] = parts as [number, number, number];
    if (yy === y && mm === m && dd === d) out.push('dob:exact');
    else if (yy === y && mm === d && dd === m) out.push('dob:swapped_day_month');
    else {
      const a = `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
      const b = `${yy}${String(mm).padStart(2, '0')}${String(dd).padStart(2, '0')}`;
      let diff = 0;
      for (let k = 0; k < 8; k++) if (a[k] !== b[k]) diff++;
      out.push(diff === 1 ? 'dob:digit_typo' : 'dob:off_by_days_or_typo');
    }
  }
  const name = row.full_name;
  if (/^[\x20-\x7e]*$/.test(name) && /[0-9]|[a-z](s|f|r|x|j|w)\b|aa|ee|oo|dd|uw|ow|aw/i.test(name) && fold(name) !== fold(child.name.full)) {
    out.push(/[0-9]/.test(name) ? 'name:vni_typed' : 'name:telex_typed?');
  }
  const recordWords = fold(name).split(/\s+/).filter(Boolean);
  const trueWords = fold(child.name.full).split(/\s+/);
  if (recordWords.length < trueWords.length) out.push('name:middle_missing_or_shortened');
  if (fold(name).replace(/\s+/g, ' ') === fold(child.name.full)) out.push('name:same_folded');
  else if (recordWords.length === trueWords.length && [...recordWords].sort().join(' ') === [...trueWords].sort().join(' ')) out.push('name:reordered');
  const id = row.personal_id.trim();
  if (!id) out.push('id:none');
  else if (id === child.personalId || id === child.personalId?.replace(/^0/, '')) out.push('id:exact');
  else if (id === child.father?.personalId || id === child.mother?.personalId) out.push('id:parent_id');
  else out.push('id:typo');
  if (!row.sex) out.push('sex:missing');
  if (!row.commune) out.push('place:commune_missing');
  if (!row.father_full_name && !row.mother_full_name) out.push('parents:none_stated');
  return out;
}

function whyMissed(link: Record<string, string>, truth: string, vector: Int8Array | undefined, model: FellegiSunterModel): string {
  const decision = link['decision'];
  const explanation = link['explanation'] ?? '';
  const best = /Best candidate (\d+)/.exec(explanation)?.[1];
  const probability = Number(link['score'] ?? 0);
  if (!best) return `${decision}: no candidate`;
  if (best !== truth) {
    const inList = (link['candidates'] ?? '').split(';').some((c) => c.startsWith(`${truth}:`));
    return `${decision}: another resident first${inList ? ' (true one listed)' : ''}`;
  }
  if (probability >= model.thresholds.link) return `${decision}: probability >= link threshold, not identified as a child`;
  const others = (link['candidates'] ?? '')
    .split(';')
    .filter(Boolean)
    .slice(1)
    .reduce((a, c) => a + Number(c.split(':')[1] ?? 0), 0);
  // The best is the true one: is it short of the threshold because of rivals, or of its own weight?
  if (others >= 1 - model.thresholds.link) return `${decision}: true one first, rivals hold ${others >= 0.1 ? '>= 10%' : '0.5-10%'}`;
  void vector;
  return `${decision}: true one first, own weight too low`;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
