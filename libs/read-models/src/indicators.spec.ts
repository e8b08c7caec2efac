import { BreakdownRow, Dimension, IndicatorResult, IndicatorValue, medianDays, parsePeriod, periodSeries, suppressPoints } from './indicators';

// The small-count rule of docs/indicators.md ("Small counts") on hand-made tables.

const count = (indicator: string, n: number): IndicatorValue => ({
  indicator,
  unit: 'count',
  value: n,
  numerator: n,
  denominator: null,
  suppressed: false,
  target: null,
  gap: null,
  met: null,
});

const result = (label: string, values: IndicatorValue[], by?: Dimension[], breakdown?: BreakdownRow[]): IndicatorResult => ({
  unitCode: '01',
  period: parsePeriod(label)!,
  units: 'current',
  childrenOnRecord: 100,
  childPopulation: null,
  indicators: values,
  referenceVersions: { target: null, population: null },
  ...(by ? { by, breakdown } : {}),
});

const row = (key: BreakdownRow['key'], values: IndicatorValue[]): BreakdownRow => ({ key, childrenOnRecord: 100, childPopulation: null, indicators: values });
const shown = (values: IndicatorValue[], indicator: string) => values.find((v) => v.indicator === indicator)!.value;

describe('small counts: primary and complementary suppression', () => {
  it('hides a count of 1–4, never 0, and gives a lone hidden commune a partner (the smallest non-zero one)', () => {
    const r = result(
      '2025',
      [count('cases_opened', 18)],
      ['commune'],
      [
        row({ commune: 'a' }, [count('cases_opened', 3)]),
        row({ commune: 'b' }, [count('cases_opened', 8)]),
        row({ commune: 'c' }, [count('cases_opened', 7)]),
        row({ commune: 'd' }, [count('cases_opened', 0)]),
      ],
    );
    suppressPoints([r], 'Y');
    expect(r.breakdown!.map((x) => shown(x.indicators, 'cases_opened'))).toEqual([null, 8, null, 0]);
    expect(shown(r.indicators, 'cases_opened')).toBe(18);
    // 18 − 8 − 0 = 10 is all anyone can work out: a = 3 or c = 7 cannot be told apart.
    expect(r.breakdown![0]!.indicators[0]).toMatchObject({ suppressed: true, numerator: null });
  });

  it('suppresses the children on record like any count: a lone small commune gets a partner', () => {
    const r = result(
      '2025',
      [count('cases_opened', 0)],
      ['commune'],
      [row({ commune: 'a' }, [count('cases_opened', 0)]), row({ commune: 'b' }, [count('cases_opened', 0)]), row({ commune: 'c' }, [count('cases_opened', 0)])],
    );
    [r.childrenOnRecord, r.breakdown![0]!.childrenOnRecord, r.breakdown![1]!.childrenOnRecord, r.breakdown![2]!.childrenOnRecord] = [21, 4, 8, 9];
    suppressPoints([r], 'Y');
    expect([r.childrenOnRecord, ...r.breakdown!.map((x) => x.childrenOnRecord)]).toEqual([21, null, null, 9]);
    expect(r.breakdown![0]!.indicators.map((v) => v.indicator)).toEqual(['cases_opened']); // nothing added to the lists
  });

  it('needs nothing more when two cells of a margin are hidden', () => {
    const r = result(
      '2025',
      [count('cases_opened', 14)],
      ['commune'],
      [row({ commune: 'a' }, [count('cases_opened', 3)]), row({ commune: 'b' }, [count('cases_opened', 2)]), row({ commune: 'c' }, [count('cases_opened', 9)])],
    );
    suppressPoints([r], 'Y');
    expect(r.breakdown!.map((x) => shown(x.indicators, 'cases_opened'))).toEqual([null, null, 9]);
  });

  it('hides a second sector when one referral sector is hidden (they add up to the referrals)', () => {
    const r = result('2025', [count('referrals', 12), count('referrals_health', 2), count('referrals_justice', 10), count('referrals_education', 0)]);
    suppressPoints([r], 'Y');
    expect([shown(r.indicators, 'referrals'), shown(r.indicators, 'referrals_health'), shown(r.indicators, 'referrals_justice')]).toEqual([12, null, null]);
    expect(shown(r.indicators, 'referrals_education')).toBe(0);
  });

  it('cascades through a two-dimensional breakdown until no margin has a lone hidden cell', () => {
    const r = result(
      '2025',
      [count('cases_opened', 34)],
      ['commune', 'sex'],
      [
        row({ commune: 'a', sex: 'F' }, [count('cases_opened', 3)]),
        row({ commune: 'a', sex: 'M' }, [count('cases_opened', 9)]),
        row({ commune: 'b', sex: 'F' }, [count('cases_opened', 8)]),
        row({ commune: 'b', sex: 'M' }, [count('cases_opened', 14)]),
      ],
    );
    suppressPoints([r], 'Y');
    const hidden = r.breakdown!.map((x) => x.indicators[0]!.suppressed);
    // a·F hidden (3); a·M for commune a, b·F for sex F; then b·M is alone in commune b and in sex M.
    expect(hidden).toEqual([true, true, true, true]);
    for (const [d, other] of [
      ['commune', 'sex'],
      ['sex', 'commune'],
    ] as const) {
      const groups = new Map<string, number>();
      for (const x of r.breakdown!) groups.set(String(x.key[other]), (groups.get(String(x.key[other])) ?? 0) + (x.indicators[0]!.suppressed ? 1 : 0));
      expect({ d, lone: [...groups.values()].filter((n) => n === 1) }).toEqual({ d, lone: [] });
    }
  });

  it('over time: a lone hidden month of events gets a partner in its quarter and year; a count of children (a stock) does not', () => {
    const months = periodSeries('M', parsePeriod('2025-01')!, parsePeriod('2025-12')!);
    const opened = [3, 6, 9, 12, 10, 11, 8, 7, 13, 15, 20, 30];
    const points = months.map((p, i) => result(p.label, [count('cases_opened', opened[i]!), count('sc_children', i === 0 ? 4 : 50)]));
    suppressPoints(points, 'M');
    // January (3) hidden; February, the smallest other month of Q1, too; the year then has two hidden.
    expect(points.map((p) => shown(p.indicators, 'cases_opened'))).toEqual([null, null, 9, 12, 10, 11, 8, 7, 13, 15, 20, 30]);
    expect(points.map((p) => shown(p.indicators, 'sc_children'))).toEqual([null, ...Array(11).fill(50)]);
  });

  it('shares: hidden with their numerator and denominator, and complemented by their denominator', () => {
    const share = (num: number, den: number): IndicatorValue => ({
      ...count('assessed_on_time_share', 0),
      unit: 'percent',
      value: (100 * num) / den,
      numerator: num,
      denominator: den,
    });
    const r = result('2025', [share(20, 30)], ['commune'], [row({ commune: 'a' }, [share(2, 10)]), row({ commune: 'b' }, [share(18, 20)])]);
    suppressPoints([r], 'Y');
    expect(r.breakdown!.map((x) => x.indicators[0]!)).toMatchObject([
      { suppressed: true, value: null, numerator: null, denominator: null },
      { suppressed: true, value: null },
    ]);
  });
});

describe('median days to assessment', () => {
  it('takes the middle of the histogram (the mean of the two middle ones for an even count)', () => {
    expect(
      medianDays(
        new Map([
          ['days:0', 1],
          ['days:4', 1],
        ]),
      ),
    ).toEqual({ median: 2, n: 2 });
    expect(
      medianDays(
        new Map([
          ['days:1', 2],
          ['days:3', 1],
          ['days:15', 1],
          ['sc:3', 9],
        ]),
      ),
    ).toEqual({ median: 2, n: 4 });
    expect(medianDays(new Map([['days:2', 3]]))).toEqual({ median: 2, n: 3 });
    expect(medianDays(new Map())).toEqual({ median: null, n: 0 });
  });
});
