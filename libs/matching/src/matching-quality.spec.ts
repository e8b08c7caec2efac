import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { decodeTelex, decodeVni } from '@childledger/vietnamese-keyboard';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { VietnamAdminUnits, generateScenario, writeRecordsCsv, writeResidentsCsv, type ChildRecordRow } from '@childledger/testing';
import { InMemoryCandidateSource, measureBlocking } from './blocking/in-memory-candidate.source';
import { matchFiles } from './batch/match-files';
import { PersonPreparer } from './model/person.preparer';
import type { ChildRecordInput } from './model/person.model';
import { childRecordReader } from './parsing/csv-header.mapper';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { RECORD_COLUMNS } from '@childledger/testing';

// End-to-end quality on generated data (seed and noise not used while developing the rules). The
// figures at scale are in docs/matching.md; this keeps a small run under the bar.
jest.setTimeout(300_000); // a shared 2-core machine under load

describe('matching quality on generated data', () => {
  const scenario = generateScenario({ seed: 424242, households: 5000, records: 2500, communes: 8 });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'match-quality-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps ≥ 99.5% of true pairs in blocking, at a modest number of pairs per record', () => {
    const units = VietnamAdminUnits.load();
    const preparer = new PersonPreparer(units);
    const residents = scenario.residents.map((r) => ({
      personalId: r.personal_id,
      fullName: r.full_name,
      sex: r.sex,
      dateOfBirth: r.date_of_birth,
      residenceCommuneCode: r.residence_commune_code,
      fatherFullName: r.father_full_name || undefined,
      motherFullName: r.mother_full_name || undefined,
      fatherPersonalId: r.father_personal_id || undefined,
      motherPersonalId: r.mother_personal_id || undefined,
    }));
    const source = new InMemoryCandidateSource(residents, preparer);
    const reader = childRecordReader(RECORD_COLUMNS as string[]);
    const records = scenario.records.map((r: ChildRecordRow, i) => {
      const row = reader.read(
        RECORD_COLUMNS.map((c) => r[c]),
        i + 2,
      );
      if (!row.ok) throw new Error(row.reason);
      return row.value as ChildRecordInput;
    });
    const m = measureBlocking(
      records,
      scenario.truth,
      source,
      preparer,
      residents.map((r) => r.personalId),
    );
    expect(m.recall).toBeGreaterThanOrEqual(0.995);
    expect(m.pairsPerRecord).toBeLessThan(60);
    // No single rule is enough: the union must beat the best rule alone.
    expect(Math.max(...m.byRule.map((r) => r.recall))).toBeLessThan(m.recall);
  });

  it('links with precision ≥ 99% and finds ≥ 95% of children in linked + review', async () => {
    const residentsPath = join(dir, 'residents.csv');
    const recordsPath = join(dir, 'records.csv');
    await writeResidentsCsv(residentsPath, scenario.residents);
    await writeRecordsCsv(recordsPath, scenario.records);
    const summary = await matchFiles({
      residentsPath,
      recordsPath,
      outPath: join(dir, 'links.csv'),
      adminUnits: VietnamAdminUnits.load(),
      groundTruth: scenario.truth,
    });
    const q = summary.quality;
    expect(q).toBeDefined();
    expect(q?.linkedPrecision).toBeGreaterThanOrEqual(0.99);
    expect(q?.linkedOrReviewRecall).toBeGreaterThanOrEqual(0.95);
    expect(q?.linkedRecall).toBeGreaterThanOrEqual(0.9);
    expect(q?.reviewShare).toBeLessThanOrEqual(0.08);
    expect(q?.falseLinkRateNoRecord).toBeLessThanOrEqual(0.01);

    // Names typed with the input method off (Telex, VNI: the generator's telexTyped/vniTyped noise)
    // are linked like the rest: before decoding, about a third of them went to review.
    const typed = new Set(
      scenario.records
        .filter((r) => {
          const name = r.full_name.normalize('NFC').trim();
          return /^[\x20-\x7e]+$/.test(name) && (decodeTelex(name) !== name || decodeVni(name) !== name);
        })
        .map((r) => r.record_ref),
    );
    const rows = parse(readFileSync(join(dir, 'links.csv')), { columns: true }) as { record_ref: string; decision: string; personal_id: string }[];
    const withRecord = rows.filter((r) => typed.has(r.record_ref) && scenario.truth.get(r.record_ref));
    expect(withRecord.length).toBeGreaterThan(50);
    const linked = withRecord.filter((r) => r.decision === 'linked' && r.personal_id === scenario.truth.get(r.record_ref)).length;
    expect(linked / withRecord.length).toBeGreaterThanOrEqual(0.93);

    // Records with no date of birth (the generator's missingDate noise) are identified by the name
    // when the sexes agree (match.engine.ts, identifiesChild). Measured with this seed: 29 of 40
    // linked; 10 of 40 with the earlier rule, which sent the others to review however strong the
    // rest of the record was.
    const undated = rows.filter((r, i) => !scenario.records[i]?.date_of_birth.trim() && scenario.truth.get(r.record_ref));
    expect(undated.length).toBeGreaterThan(25);
    const undatedLinked = undated.filter((r) => r.decision === 'linked' && r.personal_id === scenario.truth.get(r.record_ref)).length;
    expect(undatedLinked / undated.length).toBeGreaterThanOrEqual(0.6);
  });
});
