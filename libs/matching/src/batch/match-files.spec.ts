import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { VietnamAdminUnits, generateScenario, writeRecordsCsv, writeResidentsCsv } from '@childledger/testing';
import { matchFiles } from './match-files';

jest.setTimeout(180_000); // a shared 2-core machine under load

describe(matchFiles.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'match-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every record exactly once, reads Vietnamese headers, and reports unreadable rows', async () => {
    const scenario = generateScenario({ seed: 11, households: 600, records: 300 });
    const residentsPath = join(dir, 'residents.csv');
    const recordsPath = join(dir, 'records.csv');
    const outPath = join(dir, 'links.csv');
    await writeResidentsCsv(residentsPath, scenario.residents);
    await writeRecordsCsv(recordsPath, scenario.records, { vietnameseHeaders: true });
    // An unreadable row (no name) at the end.
    writeFileSync(recordsPath, `${readFileSync(recordsPath, 'utf8')}HS-BAD,,01/01/2015,Nam,,,,,,,,\n`);
    const phases = new Set<string>();
    const summary = await matchFiles({
      residentsPath,
      recordsPath,
      outPath,
      adminUnits: VietnamAdminUnits.load(),
      onProgress: (p) => phases.add(p.phase),
      saveModelPath: join(dir, 'model.json'),
    });

    const links = parse(readFileSync(outPath, 'utf8'), { columns: true }) as Record<string, string>[];
    const refs = links.map((l) => l['record_ref']);
    expect(refs).toEqual([...scenario.records.map((r) => r.record_ref), 'row-302']);
    expect(new Set(refs).size).toBe(refs.length);
    expect(summary.records).toBe(301);
    expect(summary.unreadableRecords).toBe(1);
    expect(links.at(-1)).toMatchObject({ decision: 'no_match', explanation: expect.stringMatching(/row 302, column full_name/) });
    expect(summary.decisions.linked + summary.decisions.review + summary.decisions.no_match).toBe(301);
    expect(summary.residents).toBe(scenario.residents.length);
    expect(summary.peakRssBytes).toBeGreaterThan(0);
    expect([...phases]).toEqual(['records', 'residents', 'training', 'deciding']);
    for (const l of links.filter((x) => x['decision'] === 'linked')) expect(l['personal_id']).toMatch(/^\d{12}$/);
    for (const l of links.filter((x) => x['decision'] === 'review')) expect(l['candidates']).toMatch(/^\d{12}:[\d.]+/);

    // The saved model reloads and gives the same decisions.
    const again = await matchFiles({
      residentsPath,
      recordsPath,
      outPath: join(dir, 'links-2.csv'),
      adminUnits: VietnamAdminUnits.load(),
      model: JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')),
    });
    expect(again.decisions).toEqual(summary.decisions);
  });
});
