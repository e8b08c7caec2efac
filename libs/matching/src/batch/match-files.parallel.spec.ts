import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@childledger/random';
import { loadAdministrativeUnits } from '@childledger/admin-units';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { generateScenario, writeRecordsCsv, writeResidentsCsv } from '@childledger/testing';
import { adminUnitLookupFor } from '../comparison/admin-units.adapter';
import { matchFiles, reservoirIndices, type MatchSummary } from './match-files';

jest.setTimeout(180_000);

const comparable = (s: MatchSummary) => {
  const { durationMs: _d, phaseMs: _p, peakRssBytes: _r, peakHeapUsedBytes: _h, workers: _w, comparisonCacheHitRate: _c, ...rest } = s;
  return rest;
};

describe('matchFiles in worker threads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'match-parallel-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same links, decisions and scores with 3 workers as in one thread, and the same model', async () => {
    // More residents than the reservoir (2,000), so that the random sample spans the workers' ranges.
    const scenario = generateScenario({ seed: 5150, households: 2500, records: 1500 });
    const residentsPath = join(dir, 'residents.csv');
    const recordsPath = join(dir, 'records.csv');
    await writeResidentsCsv(residentsPath, scenario.residents);
    await writeRecordsCsv(recordsPath, scenario.records);
    // An unreadable resident row in the middle (no ID): counted, skipped, and not part of the sample.
    const lines = readFileSync(residentsPath, 'utf8').split('\n');
    lines.splice(Math.floor(lines.length / 2), 0, `,Nguyễn Văn Lỗi,M,2015-01-01,,,,,,`);
    writeFileSync(residentsPath, lines.join('\n'));
    const adminUnits = adminUnitLookupFor(loadAdministrativeUnits());
    const truth = scenario.truth;
    const one = await matchFiles({
      residentsPath,
      recordsPath,
      outPath: join(dir, 'one.csv'),
      adminUnits,
      groundTruth: truth,
      saveModelPath: join(dir, 'one.json'),
    });
    const three = await matchFiles({
      residentsPath,
      recordsPath,
      outPath: join(dir, 'three.csv'),
      adminUnits,
      groundTruth: truth,
      saveModelPath: join(dir, 'three.json'),
      workers: 3,
      workerAdminUnits: 'national',
    });
    expect(one.workers).toBe(1);
    expect(three.workers).toBe(3);
    expect(one.residents).toBeGreaterThan(8000);
    expect(three.unreadableResidents).toBe(one.unreadableResidents);
    expect(one.unreadableResidents).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, 'three.csv'), 'utf8')).toBe(readFileSync(join(dir, 'one.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'three.json'), 'utf8')).toBe(readFileSync(join(dir, 'one.json'), 'utf8'));
    expect(comparable(three)).toEqual(comparable(one));
    expect(one.decisions.linked).toBeGreaterThan(1000);
  });

  it('falls back to one thread when the workers cannot load the units given', async () => {
    const scenario = generateScenario({ seed: 8, households: 200, records: 50 });
    const residentsPath = join(dir, 'r.csv');
    const recordsPath = join(dir, 'c.csv');
    await writeResidentsCsv(residentsPath, scenario.residents);
    await writeRecordsCsv(recordsPath, scenario.records);
    const s = await matchFiles({
      residentsPath,
      recordsPath,
      outPath: join(dir, 'x.csv'),
      adminUnits: adminUnitLookupFor(loadAdministrativeUnits()),
      workers: 2,
      workerAdminUnits: 'none',
    });
    expect(s.workers).toBe(1);
  });

  it('replays the reservoir sample of a sequential scan', () => {
    const rng = new SeededRandom(3).asFunction();
    const chosen = reservoirIndices(10_000, rng);
    expect(chosen).toHaveLength(2000);
    expect(new Set(chosen).size).toBe(2000);
    expect(Math.max(...chosen)).toBeLessThan(10_000);
    // Later residents replace earlier ones: the sample is not the first 2,000.
    expect(chosen.filter((k) => k >= 2000).length).toBeGreaterThan(1000);
    const again = reservoirIndices(10_000, new SeededRandom(3).asFunction());
    expect(again).toEqual(chosen);
    expect(reservoirIndices(10, rng)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
