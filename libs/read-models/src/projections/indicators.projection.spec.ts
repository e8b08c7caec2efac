import {
  addChildDeltas,
  ageBandOn,
  birthday,
  CONTRIBUTION_FIELDS,
  emptyIndicatorState,
  IndicatorChildState,
  lastChildDay,
  periodBounds,
  periodIndex,
} from './indicators.projection';

const child: IndicatorChildState['child'] = { child_id: 'k', status: 'active', personal_erased: false };

/** The deltas of the contribution vector, by `granularity|list|province|commune|sex|band|period` (parts left out). */
function deltas(state: IndicatorChildState): Record<string, number[]> {
  const out = new Map<string, number[]>();
  addChildDeltas(state, 1, out);
  return Object.fromEntries([...out].filter(([, v]) => v.some((x) => x !== 0)));
}

/** The old vector's fields (children, sc, sc_supported, ar, ar_supported, opened, closed, assessed, assessed_on_time, nid) of a delta. */
const OLD = ['children', 'sc', 'sc_supported', 'ar', 'ar_supported', 'opened', 'closed', 'assessed', 'assessed_on_time', 'nid'] as const;
const old = (v: number[] | undefined) => (v ? OLD.map((f) => v[CONTRIBUTION_FIELDS.indexOf(f)]) : v);
const field = (v: number[] | undefined, f: (typeof CONTRIBUTION_FIELDS)[number]) => v?.[CONTRIBUTION_FIELDS.indexOf(f)];

describe('indicator periods', () => {
  it('numbers years, quarters and months and gives their first and last days', () => {
    expect(periodIndex('Y', '2025-07-31')).toBe(2025);
    expect(periodIndex('Q', '2025-07-31')).toBe(2025 * 4 + 2);
    expect(periodIndex('M', '2025-07-31')).toBe(2025 * 12 + 6);
    expect(periodBounds('Q', 2025 * 4 + 2)).toEqual(['2025-07-01', '2025-09-30']);
    expect(periodBounds('M', 2024 * 12 + 1)).toEqual(['2024-02-01', '2024-02-29']);
    expect(periodBounds('Y', 2026)).toEqual(['2026-01-01', '2026-12-31']);
  });
});

describe("a child's contribution deltas", () => {
  it('an open residence and circumstance: one open-ended run from the first period, in both unit lists', () => {
    const s: IndicatorChildState = {
      ...emptyIndicatorState(),
      child,
      spells: [
        ['r1', 'residence', '2024-03-15', null, '00008', '01', '00006', '01', 0, null],
        ['c1', 'circumstance', '2024-03-15', null, null, null, null, null, 1, null],
      ],
    };
    const d = deltas(s);
    expect(old(d['Y|current|01|00008|unknown|unknown|2024'])).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(old(d['Y|pre_2025|01|00006|unknown|unknown|2024'])).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(old(d['M|current|01|00008|unknown|unknown|' + (2024 * 12 + 2)])).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Object.keys(d)).toHaveLength(6);
  });

  it('a dated fact counts in its own period only (+ then −), and a move ends the run in the old commune', () => {
    const s: IndicatorChildState = {
      ...emptyIndicatorState(),
      child,
      spells: [
        ['r1', 'residence', '2024-01-01', '2025-08-14', '00004', '01', '00004', '01', 0, null],
        ['r2', 'residence', '2025-08-15', null, '00025', '01', '00007', '01', 0, null],
      ],
      facts: [
        ['o', '2024-05-10', 0, 0, 0],
        ['a', '2024-05-11', 1, 0, 0],
      ],
    };
    const d = deltas(s);
    const may = 2024 * 12 + 4;
    expect(old(d[`M|current|01|00004|unknown|unknown|${may}`])).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 1, 0]);
    expect(old(d[`M|current|01|00004|unknown|unknown|${may + 1}`])).toEqual([0, 0, 0, 0, 0, -1, 0, -1, -1, 0]);
    // The residence on the last day of August 2025 is the new one.
    expect(old(d[`M|current|01|00004|unknown|unknown|${2025 * 12 + 7}`])).toEqual([-1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(old(d[`M|current|01|00025|unknown|unknown|${2025 * 12 + 7}`])).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(old(d['Y|current|01|00004|unknown|unknown|2024'])).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 1, 0]);
    expect(old(d['Y|current|01|00004|unknown|unknown|2025'])).toEqual([-1, 0, 0, 0, 0, -1, 0, -1, -1, 0]);
    expect(old(d['Y|current|01|00025|unknown|unknown|2025'])).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('merged duplicates and children without a residence contribute nothing', () => {
    expect(
      deltas({
        ...emptyIndicatorState(),
        child: { ...child!, status: 'merged' },
        spells: [['r1', 'residence', '2024-01-01', null, '00004', '01', '00004', '01', 0, null]],
      }),
    ).toEqual({});
    expect(deltas({ ...emptyIndicatorState(), child, facts: [['o', '2024-05-10', 0, 0, 0]] })).toEqual({});
    expect(deltas({ ...emptyIndicatorState(), spells: [['r1', 'residence', '2024-01-01', null, '00004', '01', '00004', '01', 0, null]] })).toEqual({});
  });
});

describe('a child counts until the day before the 16th birthday (Law on Children 2016, Art. 1)', () => {
  const born = (dob: string, extra: Partial<IndicatorChildState> = {}): IndicatorChildState => ({
    ...emptyIndicatorState(),
    child: { ...child!, sex: 'F', dob, registered_on: '2020-01-10' },
    spells: [
      ['r1', 'residence', '2020-01-10', null, '00008', '01', '00006', '01', 0, null],
      ['c1', 'circumstance', '2020-01-10', null, null, null, null, null, 4, null],
    ],
    ...extra,
  });
  /** The sum of the deltas of `children` (or another field) at periods ≤ k: the value for period k. */
  const valueAt = (state: IndicatorChildState, g: 'Y' | 'Q' | 'M', k: number, f: (typeof CONTRIBUTION_FIELDS)[number] = 'children', band?: string) => {
    let sum = 0;
    for (const [key, v] of Object.entries(deltas(state))) {
      const [gg, list, , , , b, kk] = key.split('|');
      if (gg === g && list === 'current' && Number(kk) <= k && (band === undefined || b === band)) sum += field(v, f)!;
    }
    return sum;
  };

  it('works out birthdays, ages and bands, 29 February included', () => {
    expect(lastChildDay('2010-06-15')).toBe('2026-06-14');
    expect(lastChildDay('2012-02-29')).toBe('2028-02-28');
    expect(birthday('2012-02-29', 6)).toBe('2018-03-01');
    expect(ageBandOn('2010-06-15', '2016-06-14')).toBe('0-5');
    expect(ageBandOn('2010-06-15', '2016-06-15')).toBe('6-10');
    expect(ageBandOn('2010-06-15', '2021-06-15')).toBe('11-15');
    expect(ageBandOn(null, '2021-06-15')).toBe('unknown');
  });

  it('turning 16 inside a period: counted in it (read on the last day as a child), not after', () => {
    const s = born('2010-06-15');
    expect(valueAt(s, 'Y', 2025)).toBe(1);
    expect(valueAt(s, 'Y', 2026)).toBe(1); // a child until 2026-06-14
    expect(valueAt(s, 'Y', 2027)).toBe(0);
    expect(valueAt(s, 'Y', 2030)).toBe(0); // and never again, with no row for later periods
    expect(valueAt(s, 'M', 2026 * 12 + 5)).toBe(1); // June 2026: a child on its first 14 days
    expect(valueAt(s, 'M', 2026 * 12 + 6)).toBe(0); // July 2026
    expect(valueAt(s, 'Q', 2026 * 4 + 1, 'sc')).toBe(1);
    expect(valueAt(s, 'Q', 2026 * 4 + 2, 'sc')).toBe(0);
    // The band moves with the age: 11–15 in 2026 (read on 2026-06-14), 6–10 in 2020.
    expect(valueAt(s, 'Y', 2026, 'children', '11-15')).toBe(1);
    expect(valueAt(s, 'Y', 2020, 'children', '6-10')).toBe(1);
    expect(valueAt(s, 'Y', 2020, 'children', '11-15')).toBe(0);
  });

  it('16 before a period: not counted in it; 16 after a period: counted in full', () => {
    const s = born('2004-03-01');
    // 16 on 2020-03-01: a child only in January and February 2020 (registered 2020-01-10).
    expect(valueAt(s, 'M', 2020 * 12 + 1)).toBe(1);
    expect(valueAt(s, 'M', 2020 * 12 + 2)).toBe(0);
    expect(valueAt(s, 'Y', 2021)).toBe(0);
    const young = born('2015-01-01');
    expect(valueAt(young, 'Y', 2030)).toBe(1);
    expect(valueAt(young, 'Y', 2031)).toBe(0);
  });

  it('facts after the 16th birthday do not count, even in the period of the birthday', () => {
    const s = born('2010-06-15', {
      facts: [
        ['o', '2026-06-10', 0, 0, 0],
        ['o', '2026-06-20', 0, 0, 0],
      ],
    });
    expect(valueAt(s, 'Y', 2026, 'opened')).toBe(1);
    expect(valueAt(s, 'M', 2026 * 12 + 5, 'opened')).toBe(1);
    expect(valueAt(s, 'Y', 2027, 'opened')).toBe(0);
  });

  it('a child whose date of birth is not known (erased) counts without the limit, in band unknown', () => {
    const s = born('2004-03-01');
    s.child!.dob = null;
    expect(valueAt(s, 'Y', 2030)).toBe(1);
    expect(valueAt(s, 'Y', 2030, 'children', 'unknown')).toBe(1);
  });
});
