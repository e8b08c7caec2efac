// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { RECORD_COLUMNS, VietnamAdminUnits, generateScenario, type ChildRecordRow } from '@childledger/testing';
import { SeededRandom } from '@childledger/random';
import { FIELD_COUNT, comparePair } from '../comparison/comparison-levels';
import type { ChildRecordInput, PreparedRecord, PreparedResident } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { childRecordReader } from '../parsing/csv-header.mapper';
import { CachedComparator } from './comparison-cache';

describe(CachedComparator.name, () => {
  // Telex/VNI typing and the other noise classes at their default rates; the seed is not the bench's.
  const scenario = generateScenario({ seed: 90210, households: 1500, records: 1200, communes: 6 });
  const preparer = new PersonPreparer(VietnamAdminUnits.load());
  const residents: PreparedResident[] = scenario.residents.map((r) =>
    preparer.prepareResident({
      personalId: r.personal_id,
      fullName: r.full_name,
      sex: r.sex,
      dateOfBirth: r.date_of_birth,
      residenceCommuneCode: r.residence_commune_code,
      fatherFullName: r.father_full_name || undefined,
      motherFullName: r.mother_full_name || undefined,
      fatherPersonalId: r.father_personal_id || undefined,
      motherPersonalId: r.mother_personal_id || undefined,
    }),
  );
  const byId = new Map(residents.map((r) => [r.personalId, r]));
  const reader = childRecordReader(RECORD_COLUMNS as string[]);
  const records: PreparedRecord[] = scenario.records.map((r: ChildRecordRow, i) => {
    const row = reader.read(
      RECORD_COLUMNS.map((c) => r[c]),
      i + 2,
    );
    if (!row.ok) throw new Error(row.reason);
    return preparer.prepareRecord(row.value as ChildRecordInput);
  });

  it('keeps the field order of COMPARISONS', () => {
    expect(CachedComparator.matches()).toBe(true);
  });

  it('gives the same vector as comparePair for true pairs, namesakes and random pairs, with and without readings', () => {
    const cached = new CachedComparator();
    const rng = new SeededRandom(7).asFunction();
    const got = new Int8Array(FIELD_COUNT);
    let compared = 0;
    let withReadings = 0;
    let agreeingNames = 0;
    for (const record of records) {
      const truth = byId.get(scenario.truth.get(record.recordRef) ?? '');
      const sameGiven = residents.filter((r) => r.name.givenFolded === record.name.givenFolded).slice(0, 20);
      const random = Array.from({ length: 20 }, () => residents[Math.floor(rng() * residents.length)] as PreparedResident);
      // Twice each, so that the second answer comes from the cache.
      for (const resident of [...(truth ? [truth, truth] : []), ...sameGiven, ...sameGiven, ...random]) {
        cached.compare(record, resident, got);
        const expected = comparePair(record, resident);
        expect([...got]).toEqual([...expected]);
        compared++;
        if (record.readings) withReadings++;
        if ((expected[0] as number) >= 0 && (expected[0] as number) <= 1) agreeingNames++;
      }
    }
    expect(compared).toBeGreaterThan(50_000);
    expect(withReadings).toBeGreaterThan(500);
    expect(agreeingNames).toBeGreaterThan(1000);
    // The repeated pairs (about a third of the calls) were answered from the cache.
    expect(cached.hits / (cached.hits + cached.misses)).toBeGreaterThan(0.3);
  });

  it('gives the same vectors by record index and resident name ids, also when the residents are numbered again', () => {
    for (const max of [1 << 21, 60]) {
      const cached = new CachedComparator(records, max);
      const rng = new SeededRandom(8).asFunction();
      const got = new Int8Array(FIELD_COUNT * 2);
      const ids = new Int32Array(3);
      let compared = 0;
      records.forEach((record, i) => {
        const truth = byId.get(scenario.truth.get(record.recordRef) ?? '');
        const sameGiven = residents.filter((r) => r.name.givenFolded === record.name.givenFolded).slice(0, 10);
        const random = Array.from({ length: 10 }, () => residents[Math.floor(rng() * residents.length)] as PreparedResident);
        for (const resident of [...(truth ? [truth, truth] : []), ...sameGiven, ...sameGiven, ...random]) {
          cached.compareIndexed(i, record, resident, cached.residentIds(resident, ids), got, FIELD_COUNT);
          expect([...got.subarray(FIELD_COUNT)]).toEqual([...comparePair(record, resident)]);
          compared++;
        }
      });
      expect(compared).toBeGreaterThan(20_000);
      expect(cached.hits).toBeGreaterThan(compared / 10);
      if (max === 60) expect(cached.restarts).toBeGreaterThan(100);
      else expect(cached.restarts).toBe(0);
    }
  });

  it('tells apart two names that a cache keyed on the folded form would confuse', () => {
    const cached = new CachedComparator();
    const record = records[0] as PreparedRecord;
    const accented = { ...(residents[0] as PreparedResident), name: preparer.prepareResident({ personalId: '1', fullName: 'Nguyễn Thị Mai' }).name };
    const plain = { ...accented, name: preparer.prepareResident({ personalId: '1', fullName: 'Nguyen Thi Mai' }).name };
    const r = { ...record, name: accented.name, readings: undefined };
    const a = new Int8Array(FIELD_COUNT);
    const b = new Int8Array(FIELD_COUNT);
    cached.compare(r, accented, a);
    cached.compare(r, plain, b);
    expect(a[0]).toBe(0); // exact
    expect(b[0]).toBe(1); // exact without diacritics
  });
});
