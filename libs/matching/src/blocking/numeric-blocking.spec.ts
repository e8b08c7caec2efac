// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { RECORD_COLUMNS, VietnamAdminUnits, generateScenario, type ChildRecordRow } from '@childledger/testing';
import { ResidentScanner } from '../batch/resident-scan';
import type { ChildRecordInput, PreparedRecord } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { childRecordReader, residentReader } from '../parsing/csv-header.mapper';
import { DEFAULT_BLOCKING_RULES } from './blocking-rules';
import { NumericBlocking, isDefaultRules, wordBagHash } from './numeric-blocking';

describe(NumericBlocking.name, () => {
  it('finds the same pairs, by the same rules, in the same order as the string keys', () => {
    // Few communes, so that blocks are large; the default noise (dates missing or partial, typed
    // names, parents' IDs, old commune codes, names without a commune).
    const scenario = generateScenario({ seed: 4711, households: 1500, records: 1200, communes: 5 });
    const preparer = new PersonPreparer(VietnamAdminUnits.load());
    const reader = childRecordReader(RECORD_COLUMNS as string[]);
    const records: (PreparedRecord | undefined)[] = scenario.records.map((r: ChildRecordRow, i) => {
      const row = reader.read(
        RECORD_COLUMNS.map((c) => r[c]),
        i + 2,
      );
      return row.ok ? preparer.prepareRecord(row.value as ChildRecordInput) : undefined;
    });
    const header = Object.keys(scenario.residents[0] ?? {});
    const residents = residentReader(header);
    const numeric = new ResidentScanner(records, DEFAULT_BLOCKING_RULES);
    const strings = new ResidentScanner(records, [...DEFAULT_BLOCKING_RULES]);
    expect(isDefaultRules(DEFAULT_BLOCKING_RULES)).toBe(true);
    expect(isDefaultRules([...DEFAULT_BLOCKING_RULES])).toBe(false);
    for (const row of scenario.residents) {
      const input = residents.read(header.map((h) => String((row as unknown as Record<string, unknown>)[h] ?? '')));
      if (!input) continue;
      const resident = preparer.prepareResident(input);
      numeric.scan(resident);
      strings.scan(resident);
    }
    const a = numeric.columns();
    const b = strings.columns();
    expect(a.pairRecord.length).toBeGreaterThan(3000);
    expect([...a.pairRecord]).toEqual([...b.pairRecord]);
    expect([...a.pairResident]).toEqual([...b.pairResident]);
    expect([...a.pairVector]).toEqual([...b.pairVector]);
    expect(a.pairsByRule).toEqual(b.pairsByRule);
    // Every rule found pairs, so each was compared.
    for (const n of a.pairsByRule) expect(n).toBeGreaterThan(0);
  });

  it('memoises no stale ids on shared names: two indexes read the same residents, and records added after residents were read count', () => {
    const scenario = generateScenario({ seed: 4712, households: 600, records: 500, communes: 4 });
    const preparer = new PersonPreparer(VietnamAdminUnits.load());
    const reader = childRecordReader(RECORD_COLUMNS as string[]);
    const records = scenario.records
      .map((r: ChildRecordRow, i) =>
        reader.read(
          RECORD_COLUMNS.map((c) => r[c]),
          i + 2,
        ),
      )
      .flatMap((row) => (row.ok ? [preparer.prepareRecord(row.value as ChildRecordInput)] : []));
    const header = Object.keys(scenario.residents[0] ?? {});
    const residentRows = residentReader(header);
    // Prepared by one preparer: residents of one household share their parents' parts objects.
    const residents = scenario.residents.flatMap((row) => {
      const input = residentRows.read(header.map((h) => String((row as unknown as Record<string, unknown>)[h] ?? '')));
      return input ? [preparer.prepareResident(input)] : [];
    });
    const keysOf = (blocking: NumericBlocking, fresh: boolean) => {
      const keys: number[] = [];
      // structuredClone: new objects, hence no memo on them.
      for (const r of residents) blocking.residentKeys(fresh ? structuredClone(r) : r, (rule, a, b, c) => keys.push(rule, a, b, c));
      return keys;
    };
    const indexOf = (from: number, to: number) => {
      const blocking = new NumericBlocking();
      for (const r of records.slice(from, to)) blocking.recordKeys(r, () => undefined);
      return blocking;
    };
    const half = Math.floor(records.length / 2);
    const first = indexOf(0, half);
    const second = indexOf(half, records.length);
    const firstKeys = keysOf(first, false);
    const secondKeys = keysOf(second, false);
    expect(keysOf(first, false)).toEqual(firstKeys);
    expect(firstKeys).toEqual(keysOf(indexOf(0, half), true));
    expect(secondKeys).toEqual(keysOf(indexOf(half, records.length), true));
    expect(firstKeys).not.toEqual(secondKeys);
    // The first index gains the other records after its residents were read: its memos are stale.
    for (const r of records.slice(half)) first.recordKeys(r, () => undefined);
    const all = keysOf(first, false);
    expect(all).toEqual(keysOf(indexOf(0, records.length), true));
    expect(all.length).toBeGreaterThan(firstKeys.length);
  });

  it('hashes the words of a name the same in any order (the filter of the sorted-name rule), and other words differently', () => {
    expect(wordBagHash('ha nguyen thi thu')).toBe(wordBagHash('nguyen thi thu ha'));
    expect(wordBagHash('thi nguyen')).toBe(wordBagHash('nguyen thi'));
    expect(wordBagHash('nguyen thi thu ha')).not.toBe(wordBagHash('nguyen thi thu hai'));
    expect(wordBagHash('an an binh')).not.toBe(wordBagHash('an binh binh'));
    const seen = new Set<number>();
    const words = ['nguyen', 'tran', 'le', 'van', 'thi', 'an', 'binh', 'ha', 'lan', 'mai'];
    for (const a of words) for (const b of words) for (const c of words) if (a <= b && b <= c) seen.add(wordBagHash(`${a} ${b} ${c}`));
    expect(seen.size).toBe(220);
    for (const h of seen) expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
  });
});
