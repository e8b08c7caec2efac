import { addChildDeltas, Contribution, emptyIndicatorState, IndicatorChildState, periodBounds, periodIndex } from './indicators.projection';

const child: IndicatorChildState['child'] = { child_id: 'k', status: 'active', personal_erased: false };

function deltas(state: IndicatorChildState): Record<string, Contribution> {
  const out = new Map<string, Contribution>();
  addChildDeltas(state, 1, out);
  return Object.fromEntries([...out].filter(([, v]) => v.some((x) => x !== 0)));
}

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
        ['r1', 'residence', '2024-03-15', null, '00008', '01', '00006', '01'],
        ['c1', 'circumstance', '2024-03-15', null, null, null, null, null],
      ],
    };
    const d = deltas(s);
    expect(d['Y|current|01|00008|2024']).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(d['Y|pre_2025|01|00006|2024']).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(d['M|current|01|00008|' + (2024 * 12 + 2)]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Object.keys(d)).toHaveLength(6);
  });

  it('a dated fact counts in its own period only (+ then −), and a move ends the run in the old commune', () => {
    const s: IndicatorChildState = {
      ...emptyIndicatorState(),
      child,
      spells: [
        ['r1', 'residence', '2024-01-01', '2025-08-14', '00004', '01', '00004', '01'],
        ['r2', 'residence', '2025-08-15', null, '00025', '01', '00007', '01'],
      ],
      facts: [
        ['o', '2024-05-10', 0],
        ['a', '2024-05-11', 1],
      ],
    };
    const d = deltas(s);
    const may = 2024 * 12 + 4;
    expect(d[`M|current|01|00004|${may}`]).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 1, 0]);
    expect(d[`M|current|01|00004|${may + 1}`]).toEqual([0, 0, 0, 0, 0, -1, 0, -1, -1, 0]);
    // The residence on the last day of August 2025 is the new one.
    expect(d[`M|current|01|00004|${2025 * 12 + 7}`]).toEqual([-1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(d[`M|current|01|00025|${2025 * 12 + 7}`]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(d['Y|current|01|00004|2024']).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 1, 0]);
    expect(d['Y|current|01|00004|2025']).toEqual([-1, 0, 0, 0, 0, -1, 0, -1, -1, 0]);
    expect(d['Y|current|01|00025|2025']).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('merged duplicates and children without a residence contribute nothing', () => {
    expect(
      deltas({
        ...emptyIndicatorState(),
        child: { ...child!, status: 'merged' },
        spells: [['r1', 'residence', '2024-01-01', null, '00004', '01', '00004', '01']],
      }),
    ).toEqual({});
    expect(deltas({ ...emptyIndicatorState(), child, facts: [['o', '2024-05-10', 0]] })).toEqual({});
    expect(deltas({ ...emptyIndicatorState(), spells: [['r1', 'residence', '2024-01-01', null, '00004', '01', '00004', '01']] })).toEqual({});
  });
});
