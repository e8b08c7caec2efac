import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadAdministrativeUnits } from '@childledger/admin-units';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { generateScenario, writeRecordsCsv, writeResidentsCsv } from '@childledger/testing';
import { adminUnitLookupFor } from '../comparison/admin-units.adapter';
import { matchFiles } from './match-files';
import { matchPartitioned, readPlan } from './partitioned-match';

jest.setTimeout(240_000);

const links = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];

describe('matching split by province', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'match-partitions-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same links as one run over all residents with the same model, every record once in input order', async () => {
    // 40 communes: about five provinces. The noise moves some records to a wrong commune or drops it.
    const scenario = generateScenario({ seed: 31337, households: 3000, records: 1500, communes: 40 });
    const residentsPath = join(dir, 'residents.csv');
    const recordsPath = join(dir, 'records.csv');
    await writeResidentsCsv(residentsPath, scenario.residents);
    await writeRecordsCsv(recordsPath, scenario.records);
    const adminUnits = adminUnitLookupFor(loadAdministrativeUnits());
    const workDir = join(dir, 'work');
    const run = await matchPartitioned({ residentsPath, recordsPath, outPath: join(dir, 'partitioned.csv'), workDir, adminUnits });
    const plan = await readPlan(workDir);
    expect(plan.partitions.length).toBeGreaterThanOrEqual(3);
    expect(plan.partitions.reduce((n, p) => n + p.records, 0) + plan.unplacedRecords).toBe(1500);
    expect(run.merge.crossProvinceRecords).toBeGreaterThan(plan.unplacedRecords);

    const model = JSON.parse(readFileSync(plan.modelPath, 'utf8'));
    await matchFiles({ residentsPath, recordsPath, outPath: join(dir, 'single.csv'), adminUnits, model, modelFrequencies: true });
    const single = links(join(dir, 'single.csv'));
    const partitioned = links(join(dir, 'partitioned.csv'));
    expect(partitioned.map((l) => l['record_ref'])).toEqual(scenario.records.map((r) => r.record_ref));
    // Every record has the same row as in the single run: decision, resident, score, candidates and
    // explanation. A record linked in its partition that has a candidate in another province (a
    // namesake born the same year, a sibling who moved) is decided in the cross pass over the
    // national candidates, as the single run decides it (docs/matching.md, "Partitions").
    expect(plan.exposedRecords).toBeGreaterThan(0);
    expect(run.merge.linkedButExposed).toBeGreaterThan(0);
    const differ = partitioned.filter((l, i) => JSON.stringify(l) !== JSON.stringify(single[i]));
    expect(differ).toHaveLength(0);
    expect(partitioned).toEqual(single);
    expect(partitioned.filter((l) => l['decision'] === 'linked').length).toBeGreaterThan(1000);

    // The cross-province pass matters: without it, records whose true resident lives in another
    // province than the record states would not be linked.
    const inPartitions = plan.partitions.flatMap((p) => links(p.linksPath));
    const linkedAcross = partitioned.filter((l) => l['decision'] === 'linked').length - inPartitions.filter((l) => l['decision'] === 'linked').length;
    expect(linkedAcross).toBeGreaterThan(0);
  });
});
