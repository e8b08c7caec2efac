import type { ClientBase } from 'pg';
import type { RecordedEvent } from '@childledger/event-store';
import type { UnitResolver } from '../unit-resolver';
import { asCaseEvent } from '../events';
import { addDays, copyLines, insertRows, Projection, ProjectionContext, vietnamDay } from '../projection';
import { CaseRow, evolveCase } from './cases.projection';
import { ChildDoc, ChildRow, childIdOfStream, evolveChild, SpellRow } from './children.projection';

/**
 * Indicator facts, kept so that an indicator for any unit and period is one small indexed sum.
 *
 * For every child the projection knows, for each period granularity (year, quarter, month) and
 * each unit list (current, pre-2025), which unit the child counts in, under which sex and age band,
 * and what it contributes (the vector below: the indicators' counts, then the same per
 * special-circumstance group, per receiving sector and per number of days from report to
 * assessment) in every period: that contribution is a function of the period index, and it is
 * constant after the child's last dated change (open spells stay open, facts are dated, the day
 * before the 16th birthday ends it). So it is a few runs of equal contributions, the last one
 * open-ended. The table `rm_indicator_cells` holds, per unit, sex, age band and period, the sum over
 * children of the *changes* of contribution at that period (+ where a run starts, − where it ends):
 * the value for period k is the sum of the deltas at periods ≤ k. No row is needed for periods that
 * have not happened yet, and time passing changes nothing.
 *
 * Per child, the projection keeps the little it needs (`rm_indicator_children`: the child's status,
 * sex, date of birth (for the Law on Children's Art. 1 and the age bands; dropped on erasure), its
 * spells, its dated case facts; no name, no ID, no free text) and folds events with the same pure
 * functions as the children and cases projections (`evolveChild`, `evolveCase`), so the
 * definitions cannot drift apart. A batch computes each touched child's deltas before and after
 * and adds the difference.
 */

export const GRANULARITIES = ['Y', 'Q', 'M'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const UNIT_LISTS = ['current', 'pre_2025'] as const;
export type UnitList = (typeof UNIT_LISTS)[number];
export const AGE_BANDS = ['0-5', '6-10', '11-15', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const SEXES = ['F', 'M', 'unknown'] as const;
/** Receiving sectors of a referral (CaseReferred), as the domain lists them. */
export const REFERRAL_SECTORS = ['health', 'education', 'justice', 'public_security', 'social_affairs', 'other'] as const;
/** Special-circumstance groups 9–12 (violence, exploitation, sexual abuse, trafficking): abuse. */
export const ABUSE_GROUPS: readonly number[] = [9, 10, 11, 12];
/** Case concerns that are abuse (the case-side counterpart of groups 9–12). */
export const ABUSE_CONCERNS: readonly string[] = ['physical_abuse', 'sexual_abuse', 'emotional_abuse', 'exploitation', 'trafficking'];
/** Case outcomes that mean the child's situation was resolved. */
export const RESOLVED_OUTCOMES: readonly string[] = ['risk_removed', 'goals_met'];

/** What a child contributes to a unit and period, in this order (columns of rm_indicator_cells). */
export const CONTRIBUTION_FIELDS = [
  'children',
  'sc',
  'sc_supported',
  'ar',
  'ar_supported',
  'ar_removed',
  'abuse_new',
  'opened',
  'closed',
  'closed_resolved',
  'assessed',
  'assessed_on_time',
  'abuse_assessed',
  'abuse_assessed_on_time',
  'delivered',
  'delivered_on_time',
  'referrals',
  'registered',
  'registered_nid',
  'nid',
] as const;
export type ContributionField = (typeof CONTRIBUTION_FIELDS)[number];

/** The longest time from report to assessment counted day by day; longer ones count in one last bucket. */
export const MAX_DAYS_COUNTED = 14;
const GROUPS = Array.from({ length: 14 }, (_x, i) => i + 1);

/**
 * The breakdown columns, after the fields above: per special-circumstance group g, `sc_g` (in it)
 * and `ar_g` (at risk of it); `new_g` for the abuse groups (newly identified); `ref_<sector>`
 * (referrals); `days_n` (assessments n days after the report, `days_15p` longer). Named `sc:3`,
 * `ref:health`, `days:2` (`days:15` for the last bucket) where the indicators read them. Each is a
 * column (not a row of a second table): a row per part was most of the projection's write time.
 */
export const PART_COLUMNS: readonly { column: string; part: string }[] = [
  ...GROUPS.flatMap((g) => ['sc', 'ar'].map((k) => ({ column: `${k}_g${g}`, part: `${k}:${g}` }))),
  ...ABUSE_GROUPS.map((g) => ({ column: `new_g${g}`, part: `new:${g}` })),
  ...REFERRAL_SECTORS.map((s) => ({ column: `ref_${s}`, part: `ref:${s}` })),
  ...Array.from({ length: MAX_DAYS_COUNTED + 2 }, (_x, d) => ({ column: d > MAX_DAYS_COUNTED ? `days_${d}p` : `days_${d}`, part: `days:${d}` })),
];
/** Every column of rm_indicator_cells after the key: the fields, then the breakdown columns. */
export const CELL_COLUMNS: readonly string[] = [...CONTRIBUTION_FIELDS, ...PART_COLUMNS.map((p) => p.column)];
const F = Object.fromEntries(CONTRIBUTION_FIELDS.map((f, i) => [f, i])) as Record<ContributionField, number>;
const P = new Map(PART_COLUMNS.map((p, i) => [p.part, CONTRIBUTION_FIELDS.length + i]));
const REF_AT = P.get(`ref:${REFERRAL_SECTORS[0]}`)!;
const DAYS_AT = P.get('days:0')!;
/** Column of `sc:g`, `ar:g` and `new:g` by group number (looked up per spell evaluated: no text key built each time). */
const SC_AT: readonly number[] = [-1, ...GROUPS.map((g) => P.get(`sc:${g}`)!)];
const AR_AT: readonly number[] = [-1, ...GROUPS.map((g) => P.get(`ar:${g}`)!)];
const NEW_AT: readonly number[] = [-1, ...GROUPS.map((g) => P.get(`new:${g}`) ?? -1)];

/** A child's contribution to one period: one number per column of CELL_COLUMNS. */
export type Contribution = number[];

/** The period of granularity `g` a day (YYYY-MM-DD) falls in, as one integer (year; year·4 + quarter; year·12 + month). */
export function periodIndex(g: Granularity, day: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1;
  return g === 'Y' ? y : g === 'Q' ? y * 4 + Math.floor(m / 3) : y * 12 + m;
}

/** Bounds already computed, per granularity by period index (no text key per call). */
const boundsCache: Record<Granularity, Map<number, readonly [string, string]>> = { Y: new Map(), Q: new Map(), M: new Map() };

/** First and last day of period `k` of granularity `g`. */
export function periodBounds(g: Granularity, k: number): readonly [string, string] {
  const cache = boundsCache[g];
  let b = cache.get(k);
  if (!b) {
    const [y, m0, months] = g === 'Y' ? [k, 0, 12] : g === 'Q' ? [Math.floor(k / 4), (k % 4) * 3, 3] : [Math.floor(k / 12), k % 12, 1];
    const first = new Date(Date.UTC(y, m0, 1)).toISOString().slice(0, 10);
    const last = new Date(Date.UTC(y, m0 + months, 0)).toISOString().slice(0, 10);
    b = [first, last] as const;
    cache.set(k, b);
  }
  return b;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The n-th birthday of someone born on `dob` (29 February: 1 March in a common year, as the age by MM-DD comparison has it). */
export function birthday(dob: string, n: number): string {
  const y = Number(dob.slice(0, 4)) + n;
  const md = dob.slice(5);
  return md === '02-29' && !isLeap(y) ? `${y}-03-01` : `${y}-${md}`;
}

/** Age in whole years on `day`. */
export function ageOn(dob: string, day: string): number {
  return Number(day.slice(0, 4)) - Number(dob.slice(0, 4)) - (day.slice(5) < dob.slice(5) ? 1 : 0);
}

/** The last day someone born on `dob` is a child: the day before the 16th birthday (Law on Children 2016, Art. 1). */
export function lastChildDay(dob: string): string {
  return addDays(birthday(dob, 16), -1);
}

export function ageBandOn(dob: string | null, day: string): AgeBand {
  if (!dob) return 'unknown';
  const a = ageOn(dob, day);
  return a <= 5 ? '0-5' : a <= 10 ? '6-10' : '11-15';
}

/**
 * A spell as kept here: [id while open ('' once closed), kind, from, to|null, commune, province,
 * old commune, old province, group, outcome|null].
 */
type SpellTuple = [string, SpellRow['kind'], string, string | null, string | null, string | null, string | null, string | null, number, string | null];
/**
 * A dated case fact: [kind, day, flag, abuse 0|1, value]. o(pened); a(ssessed): flag on time,
 * value days from the report; d(elivered): flag on time; c(losed): flag resolved; r(eferred):
 * value the sector's index in REFERRAL_SECTORS.
 */
export type FactTuple = ['o' | 'a' | 'd' | 'c' | 'r', string, 0 | 1, 0 | 1, number];

/** What is kept of a case to date its later facts: [abuse 0|1, reported (or reopened) at]. */
type CaseTuple = [0 | 1, string];

/** One child's state (the `state` column of rm_indicator_children). No name, ID or free text. */
export interface IndicatorChildState {
  /** What is kept of the child row the children projection folds (the rest does not count); null until registered. */
  child: {
    child_id: string;
    status: ChildRow['status'];
    personal_erased: boolean;
    sex?: string | null;
    /** Date of birth while the child's personal data is readable (null once erased, or never given). */
    dob?: string | null;
    /** Vietnam day of registration. */
    registered_on?: string | null;
    /** While merged (ChildRecordsMerged, not reverted): the surviving child, which counts this record's facts as its own. */
    merged_into?: string | null;
  } | null;
  /** In the order they were opened. */
  spells: SpellTuple[];
  /** Open spells: `kind:grp` → spell id. */
  open: Record<string, string>;
  facts: FactTuple[];
  /** The child's cases, by id. */
  cases?: Record<string, CaseTuple>;
}

export const emptyIndicatorState = (): IndicatorChildState => ({ child: null, spells: [], open: {}, facts: [], cases: {} });

/** The child row fields the state does not keep: they do not change what `evolveChild` does to spells and status. */
const CHILD_DEFAULTS: ChildRow = {
  child_id: '',
  status: 'active',
  sex: null,
  personal: null,
  personal_erased: false,
  registered_at: null,
  residence_commune_code: null,
  residence_effective_from: null,
  commune_code: null,
  province_code: null,
  old_commune_code: null,
  old_province_code: null,
  candidate_communes: [],
  residence_ambiguous: false,
  circumstances: [],
  risks: [],
  national_id_state: 'none',
  national_id_source: null,
  national_id_linked_at: null,
  merged_into: null,
  revision: 0,
  last_event_at: '',
};

/**
 * A child's state opened for folding: the child doc `evolveChild` works on and the spells by id.
 * Opened once per batch, folded over every event of the batch, and closed back into the state.
 */
export interface OpenedChildState {
  doc: ChildDoc;
  spells: SpellTuple[];
  /** The spells that may still change (open ones), by id. */
  byId: Map<string, SpellTuple>;
  facts: FactTuple[];
  cases: Record<string, CaseTuple>;
}

export function openChildState(state: IndicatorChildState): OpenedChildState {
  const byId = new Map(state.spells.filter((s) => s[0] !== '').map((s) => [s[0], s]));
  const open = new Map<string, SpellRow>();
  for (const [key, id] of Object.entries(state.open)) {
    const s = byId.get(id);
    if (!s) continue;
    open.set(key, {
      spell_id: s[0],
      child_id: state.child?.child_id ?? '',
      kind: s[1],
      grp: Number(key.slice(key.indexOf(':') + 1)),
      effective_from: s[2],
      effective_to: s[3],
      is_open: true,
      outcome: null,
      recorded_commune: null,
      commune_code: s[4],
      province_code: s[5],
      old_commune_code: s[6],
      old_province_code: s[7],
    });
  }
  const c = state.child;
  const child: ChildRow | undefined = c
    ? {
        ...CHILD_DEFAULTS,
        child_id: c.child_id,
        status: c.status,
        personal_erased: c.personal_erased,
        sex: c.sex ?? null,
        // evolveChild corrects the date of birth inside `personal`, which it keeps while readable.
        personal: c.personal_erased ? null : c.dob ? { dateOfBirth: c.dob } : {},
        registered_at: c.registered_on ? `${c.registered_on}T00:00:00+07:00` : null,
        merged_into: c.merged_into ?? null,
      }
    : undefined;
  return { doc: { child, open, queue: new Map() }, spells: state.spells, byId, facts: state.facts, cases: { ...(state.cases ?? {}) } };
}

/** Folds one event of the child's own stream (through `evolveChild`). */
export function applyChildEvent(opened: OpenedChildState, e: RecordedEvent, units: UnitResolver): void {
  const changes = evolveChild(opened.doc, e, units);
  for (const s of changes.spells) {
    const tuple: SpellTuple = [
      s.spell_id,
      s.kind,
      s.effective_from,
      s.effective_to,
      s.commune_code,
      s.province_code,
      s.old_commune_code,
      s.old_province_code,
      s.grp,
      s.outcome,
    ];
    const existing = opened.byId.get(s.spell_id);
    if (existing) existing.splice(0, tuple.length, ...tuple);
    else {
      opened.spells.push(tuple);
      opened.byId.set(s.spell_id, tuple);
    }
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function closeChildState(opened: OpenedChildState): IndicatorChildState {
  const c = opened.doc.child;
  const open: Record<string, string> = {};
  for (const [key, s] of opened.doc.open) open[key] = s.spell_id;
  const stillOpen = new Set(Object.values(open));
  // A closed spell never changes again: its id is dropped (smaller state).
  const spells = opened.spells.map((t): SpellTuple => (t[0] === '' || stillOpen.has(t[0]) ? t : ['', t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9]]));
  const dob = c?.personal && typeof c.personal['dateOfBirth'] === 'string' && DAY.test(c.personal['dateOfBirth']) ? c.personal['dateOfBirth'] : null;
  return {
    child: c
      ? {
          child_id: c.child_id,
          status: c.status,
          personal_erased: c.personal_erased,
          sex: c.sex,
          dob: c.personal_erased ? null : dob,
          registered_on: c.registered_at ? vietnamDay(c.registered_at) : null,
          ...(c.status === 'merged' && c.merged_into ? { merged_into: c.merged_into } : {}),
        }
      : null,
    spells,
    open,
    facts: opened.facts,
    cases: opened.cases,
  };
}

const FACT_KINDS: Record<string, FactTuple[0]> = { opened: 'o', assessed: 'a', delivered: 'd', closed: 'c' };

/**
 * The dated fact a case event adds (through `evolveCase`, so dates and on-time flags are the cases
 * projection's), if any; keeps in `cases` what later facts of the case need (abuse, report time).
 */
export function caseFact(e: RecordedEvent, caseId: string, childId: string, cases: Record<string, CaseTuple> = {}): FactTuple | null {
  const ev = asCaseEvent(e);
  if (ev?.type === 'CaseOpened') {
    cases[caseId] = [ABUSE_CONCERNS.includes(String(ev.data.concern)) ? 1 : 0, String(ev.data.reportedAt ?? ev.data.openedAt)];
  } else if (ev?.type === 'CaseReopened' && cases[caseId]) {
    cases[caseId] = [cases[caseId]![0], String(ev.data.reopenedAt)];
  } else if (ev?.type === 'CaseReferred') {
    const sector = REFERRAL_SECTORS.indexOf(ev.data.sector as (typeof REFERRAL_SECTORS)[number]);
    return ['r', vietnamDay(String(ev.data.referredAt)), 0, cases[caseId]?.[0] ?? 0, sector < 0 ? REFERRAL_SECTORS.length - 1 : sector];
  }
  const stub = { case_id: caseId, child_id: childId, status: 'report_received', reopened_count: 0, personal: null } as unknown as CaseRow;
  const { fact } = evolveCase(ev?.type === 'CaseOpened' ? undefined : stub, e);
  const kind = fact ? FACT_KINDS[fact.kind] : undefined;
  if (!fact || !kind) return null;
  const kase = cases[caseId];
  const abuse = kase?.[0] ?? 0;
  if (kind === 'a') {
    const reported = kase ? Date.parse(kase[1]) : NaN;
    const elapsed = Date.parse(fact.occurred_at) - reported;
    const days = Number.isFinite(elapsed) ? Math.min(MAX_DAYS_COUNTED + 1, Math.max(0, Math.floor(elapsed / 86_400_000))) : -1;
    return ['a', fact.occurred_on, fact.on_time ? 1 : 0, abuse, days];
  }
  if (kind === 'c') {
    const outcome = ev?.type === 'CaseClosed' ? String(ev.data.outcome) : '';
    return ['c', fact.occurred_on, RESOLVED_OUTCOMES.includes(outcome) ? 1 : 0, abuse, 0];
  }
  return [kind, fact.occurred_on, fact.on_time ? 1 : 0, abuse, 0];
}

/** A child's contribution to the period [from, to], with the day its unit, status and age are read on; null when it does not count. */
export function childContribution(
  state: IndicatorChildState,
  from: string,
  to: string,
  /** The child's last day as a child, if computed already (undefined: computed here; null: no date of birth). */
  lastDay?: string | null,
  /** Where to write the contribution (all zeros; left untouched when the child does not count): a new array when not given. */
  into?: Contribution,
): { vec: Contribution; residence: SpellTuple; band: AgeBand; sex: string } | null {
  const c = state.child;
  if (!c || c.status === 'merged') return null;
  const dob = c.dob ?? null;
  // Children are counted on the days they are children: read on the last of those in the period.
  if (dob && dob > to) return null;
  const last = lastDay !== undefined ? lastDay : dob ? lastChildDay(dob) : null;
  const e = last !== null && last < to ? last : to;
  if (e < from) return null;
  let r: SpellTuple | null = null;
  for (const s of state.spells) {
    if (s[1] !== 'residence' || s[2] > e) continue;
    // The residence with the latest start on or before the day (on equal starts, the one ending last).
    if (!r || s[2] > r[2] || (s[2] === r[2] && (s[3] ?? '9999-12-31') > (r[3] ?? '9999-12-31'))) r = s;
  }
  if (!r) return null;
  const main = into ?? new Array<number>(CELL_COLUMNS.length).fill(0);
  main[F.children] = 1;
  // New cases of abuse: one per group and first day (the same case on two merged records is one);
  // made only when a child has one in the period (rare).
  let newAbuse: Set<string> | null = null;
  for (const s of state.spells) {
    if (s[1] === 'residence' || s[2] > e) continue;
    if (s[1] === 'national_id') {
      if (s[3] === null || s[3] >= e) main[F.nid] = 1;
    } else if (s[3] === null || s[3] >= from) {
      const g = s[8];
      if (s[1] === 'circumstance') {
        main[F.sc] = 1;
        // In group g in the period: 1 however many spells of it.
        main[SC_AT[g]!] = 1;
        if (s[2] >= from && ABUSE_GROUPS.includes(g)) {
          newAbuse ??= new Set<string>();
          if (!newAbuse.has(`${g}|${s[2]}`)) {
            newAbuse.add(`${g}|${s[2]}`);
            main[F.abuse_new]! += 1;
            main[NEW_AT[g]!]! += 1;
          }
        }
      } else if (s[1] === 'risk') {
        main[F.ar] = 1;
        main[AR_AT[g]!] = 1;
        if (s[3] !== null && s[3] <= e && s[9] === 'removed_from_risk') {
          main[F.ar_removed] = 1;
        }
      }
    }
  }
  let delivered = 0;
  for (const f of state.facts) {
    if (f[1] < from || f[1] > e) continue;
    switch (f[0]) {
      case 'o':
        main[F.opened]! += 1;
        break;
      case 'c':
        main[F.closed]! += 1;
        main[F.closed_resolved]! += f[2];
        break;
      case 'a':
        main[F.assessed]! += 1;
        main[F.assessed_on_time]! += f[2];
        if (f[3]) {
          main[F.abuse_assessed]! += 1;
          main[F.abuse_assessed_on_time]! += f[2];
        }
        if (f[4] >= 0) main[DAYS_AT + Math.min(f[4], MAX_DAYS_COUNTED + 1)]! += 1;
        break;
      case 'd':
        delivered = 1;
        main[F.delivered]! += 1;
        main[F.delivered_on_time]! += f[2];
        break;
      case 'r':
        main[F.referrals]! += 1;
        main[REF_AT + (f[4] < REFERRAL_SECTORS.length ? f[4] : REFERRAL_SECTORS.length - 1)]! += 1;
        break;
    }
  }
  main[F.sc_supported] = main[F.sc]! & delivered;
  main[F.ar_supported] = main[F.ar]! & delivered;
  const reg = c.registered_on ?? null;
  if (reg !== null && reg >= from && reg <= e) {
    main[F.registered] = 1;
    main[F.registered_nid] = main[F.nid]!;
  }
  return {
    vec: main,
    residence: r,
    band: ageBandOn(dob, e),
    sex: c.sex === 'F' || c.sex === 'M' ? c.sex : 'unknown',
  };
}

/**
 * The days from which a child's contribution may differ (`steps`: the day after a spell's last,
 * birth, the birthdays that change the band) and the days that count in their own period only
 * (`facts`: their period and the next are evaluated: case facts, registration, a spell's first and
 * last days, the last day as a child).
 */
function changeDays(state: IndicatorChildState, last: string | null): { steps: string[]; facts: string[] } {
  const steps: string[] = [];
  const facts: string[] = [];
  for (const s of state.spells) {
    // A spell starting or ending in a period is also a fact of it (newly identified, removed from risk).
    facts.push(s[2]);
    if (s[3] !== null) {
      facts.push(s[3]);
      steps.push(addDays(s[3], 1));
    }
  }
  for (const f of state.facts) facts.push(f[1]);
  const c = state.child;
  if (c?.registered_on) facts.push(c.registered_on);
  // Counted from the period of birth, in a new band from the periods of the 6th and 11th birthdays,
  // and up to the period of the last day as a child (not after it).
  if (c?.dob && last) steps.push(c.dob, birthday(c.dob, 6), birthday(c.dob, 11));
  if (last) facts.push(last);
  return { steps, facts };
}

function changePeriods(days: { steps: string[]; facts: string[] }, g: Granularity): number[] {
  const ks = new Set<number>();
  for (const d of days.steps) ks.add(periodIndex(g, d));
  for (const d of days.facts) {
    const k = periodIndex(g, d);
    ks.add(k);
    ks.add(k + 1);
  }
  return [...ks].sort((x, y) => x - y);
}

/**
 * A surviving child with the duplicates merged into it: one child (a merge says so), counted with
 * every circumstance, risk and national-ID spell and every case fact of the merged records, where
 * the survivor lives and by its own date of birth, sex and registration. (A group identified on
 * both records from the same day is one new case of abuse: `childContribution` counts the distinct
 * group and first day.)
 */
export function withMergedRecords(head: IndicatorChildState, members: readonly IndicatorChildState[]): IndicatorChildState {
  if (members.length === 0) return head;
  return {
    ...head,
    spells: [...head.spells, ...members.flatMap((m) => m.spells.filter((t) => t[1] !== 'residence'))],
    facts: [...head.facts, ...members.flatMap((m) => m.facts)],
  };
}

/**
 * The contribution deltas of one child, added (sign +1) or taken away (−1) into `out`, keyed by
 * `granularity|list|province|commune|sex|band|period`. Merged duplicates, children without a
 * residence and persons aged 16 or over contribute nothing, as docs/indicators.md defines.
 */
export function addChildDeltas(state: IndicatorChildState, sign: 1 | -1, out: Map<string, Contribution>): void {
  const c = state.child;
  if (!c || c.status === 'merged') return;
  if (!state.spells.some((s) => s[1] === 'residence')) return;
  const last = c.dob ? lastChildDay(c.dob) : null;
  const days = changeDays(state, last);
  for (const g of GRANULARITIES) {
    // The contribution is constant from one change period to the next: only those are evaluated, in order.
    const order = changePeriods(days, g);
    // Per unit list: the key the child's run counts under (unit, sex, band) and its contribution.
    const prevKey: [string | null, string | null] = [null, null];
    const prevVec: [Sparse | null, Sparse | null] = [null, null];
    const prevWhere: [string, string] = ['', ''];
    for (const k of order) {
      const [from, to] = periodBounds(g, k);
      const got = childContribution(state, from, to, last, SCRATCH);
      // Kept as its non-zero columns (a dozen of 159): compared and added without walking the rest.
      const vec = got ? sparseOf(SCRATCH) : null;
      for (let l = 0; l < 2; l++) {
        const r = got?.residence;
        const province = r ? (l === 0 ? r[5] : r[7]) : null;
        const counted = vec !== null && province !== null;
        // Compared without building the key: the same place, sex, band and contribution continue the run.
        const where = counted ? `${province}|${(l === 0 ? r![4] : r![6]) ?? ''}|${got!.sex}|${got!.band}` : '';
        if (prevKey[l] === null ? !counted : counted && where === prevWhere[l] && sameContribution(prevVec[l]!, vec)) continue;
        if (prevKey[l] !== null) add(out, `${prevKey[l]}|${k}`, prevVec[l]!, -sign);
        if (counted) {
          const key = `${g}|${UNIT_LISTS[l]}|${where}`;
          add(out, `${key}|${k}`, vec, sign);
          prevKey[l] = key;
          prevVec[l] = vec;
          prevWhere[l] = where;
        } else {
          prevKey[l] = null;
          prevVec[l] = null;
          prevWhere[l] = '';
        }
      }
    }
  }
}

/** A contribution as its non-zero columns: column index, value, column index, value… in column order. */
type Sparse = number[];

/** One dense contribution written by `childContribution` at a time, read back (and zeroed) by `sparseOf`: no array of 159 per period evaluated. */
const SCRATCH: Contribution = new Array<number>(CELL_COLUMNS.length).fill(0);

/** The non-zero columns of `vec`, which is left all zeros. */
function sparseOf(vec: Contribution): Sparse {
  const out: Sparse = [];
  for (let i = 0; i < vec.length; i++) {
    const x = vec[i]!;
    if (x !== 0) {
      out.push(i, x);
      vec[i] = 0;
    }
  }
  return out;
}

function sameContribution(a: Sparse, b: Sparse): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function add(out: Map<string, Contribution>, key: string, vec: Sparse, sign: number): void {
  let acc = out.get(key);
  if (!acc) {
    acc = new Array<number>(CELL_COLUMNS.length).fill(0);
    out.set(key, acc);
  }
  for (let i = 0; i < vec.length; i += 2) acc[vec[i]!]! += sign * vec[i + 1]!;
}

const DELTA_KEY_COLUMNS = ['granularity', 'units', 'province_code', 'commune_code', 'sex', 'age_band', 'period_index'] as const;

/**
 * The deltas of every child among `states` that is not merged, each with the records merged into it
 * that `states` holds (the caller loads all of them for the survivors it touches). A merged record
 * counts only through its survivor; merged into a record that is itself merged, it counts nowhere.
 */
function addGroupDeltas(states: ReadonlyMap<string, IndicatorChildState>, sign: 1 | -1, out: Map<string, Contribution>): void {
  const members = new Map<string, IndicatorChildState[]>();
  for (const st of states.values()) {
    const into = st.child?.status === 'merged' ? st.child.merged_into : null;
    if (into) members.set(into, [...(members.get(into) ?? []), st]);
  }
  for (const [id, st] of states) if (st.child?.status !== 'merged') addChildDeltas(withMergedRecords(st, members.get(id) ?? []), sign, out);
}

/** Indicator facts per unit, sex, age band and period (see the comment at the top of this file). */
export const indicatorsProjection: Projection = {
  name: 'indicators',
  tables: ['rm_indicator_children', 'rm_indicator_cases', 'rm_indicator_cells'],
  async apply(events: readonly RecordedEvent[], tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    const caseOf = (e: RecordedEvent) => (e.streamId.startsWith('case-') ? e.streamId.slice('case-'.length) : null);
    const mine = events.filter((e) => e.streamId.startsWith('child-') || (caseOf(e) !== null && (e.type === 'CaseOpened' || FACT_EVENT_TYPES.has(e.type))));
    if (mine.length === 0) return;

    // Which child each case belongs to: CaseOpened names it, later events are looked up.
    const caseChild = new Map<string, string>();
    const newCases: [string, string][] = [];
    for (const e of mine) {
      const caseId = caseOf(e);
      const opened = asCaseEvent(e);
      if (caseId !== null && opened?.type === 'CaseOpened' && !caseChild.has(caseId)) {
        const childId = String(opened.data.childId);
        caseChild.set(caseId, childId);
        newCases.push([caseId, childId]);
      }
    }
    const unknownCases = [...new Set(mine.map(caseOf).filter((id): id is string => id !== null && !caseChild.has(id)))];
    if (unknownCases.length > 0) {
      const res = await tx.query<{ case_id: string; child_id: string }>(
        `SELECT case_id, child_id FROM ${ctx.table('rm_indicator_cases')} WHERE case_id = ANY($1)`,
        [unknownCases],
      );
      for (const r of res.rows) caseChild.set(r.case_id, r.child_id);
    }
    const childOf = (e: RecordedEvent): string | null => childIdOfStream(e.streamId) ?? caseChild.get(caseOf(e) ?? '') ?? null;

    const ids = [...new Set(mine.map(childOf).filter((id): id is string => id !== null))];
    const opened = new Map<string, OpenedChildState>();
    const res = await tx.query<{ child_id: string; state: string }>(
      `SELECT child_id, state FROM ${ctx.table('rm_indicator_children')} WHERE child_id = ANY($1)`,
      [ids],
    );
    // Every state this batch may change the contribution of, as it stood: the batch's children, the
    // children they were or are being merged into, and every record merged into those (a survivor
    // counts its duplicates' facts: withMergedRecords).
    const before = new Map<string, IndicatorChildState>(res.rows.map((r) => [r.child_id, JSON.parse(r.state) as IndicatorChildState]));
    const heads = new Set<string>(ids);
    for (const st of before.values()) if (st.child?.merged_into) heads.add(st.child.merged_into);
    for (const e of mine) if (e.type === 'ChildRecordsMerged' && typeof e.data['survivingChildId'] === 'string') heads.add(e.data['survivingChildId']);
    await ctx.lookup?.(tx, 'rm_indicator_children', 'merged_into');
    const related = await tx.query<{ child_id: string; state: string }>(
      `SELECT child_id, state FROM ${ctx.table('rm_indicator_children')} WHERE (child_id = ANY($1) OR merged_into = ANY($2)) AND NOT child_id = ANY($3)`,
      [[...heads].filter((h) => !before.has(h)), [...heads], ids],
    );
    for (const r of related.rows) before.set(r.child_id, JSON.parse(r.state) as IndicatorChildState);
    // During a rebuild the deltas of every batch are summed in memory (see BulkCells) and written once.
    const bulk = ctx.bulk ? bulkCells(ctx) : null;
    const deltas = bulk?.deltas ?? new Map<string, Contribution>();
    addGroupDeltas(before, -1, deltas);
    for (const [id, state] of before) if (ids.includes(id)) opened.set(id, openChildState(state));
    for (const id of ids) if (!opened.has(id)) opened.set(id, openChildState(emptyIndicatorState()));
    for (const e of mine) {
      const childId = childOf(e);
      if (childId === null) continue;
      const o = opened.get(childId)!;
      const caseId = caseOf(e);
      if (caseId === null) applyChildEvent(o, e, ctx.units);
      else {
        const fact = caseFact(e, caseId, childId, o.cases);
        if (fact) o.facts.push(fact);
      }
    }
    const states = new Map([...opened].map(([id, o]) => [id, closeChildState(o)]));
    const after = new Map(before);
    for (const [id, state] of states) after.set(id, state);
    addGroupDeltas(after, 1, deltas);

    // New cases and children are appended (COPY: a twice-applied event fails on the key), known children updated.
    await insertRows(
      tx,
      ctx,
      'rm_indicator_cases',
      ['case_id', 'child_id'],
      newCases.map(([case_id, child_id]) => ({ case_id, child_id })),
    );
    const known = new Set(res.rows.map((r) => r.child_id));
    const rows = [...states].map(([child_id, state]) => ({ child_id, state: JSON.stringify(state), merged_into: state.child?.merged_into ?? null }));
    await insertRows(
      tx,
      ctx,
      'rm_indicator_children',
      ['child_id', 'state', 'merged_into'],
      rows.filter((r) => !known.has(r.child_id)),
    );
    const updated = rows.filter((r) => known.has(r.child_id));
    if (updated.length > 0) {
      await tx.query(
        `UPDATE ${ctx.table('rm_indicator_children')} t SET state = u.state, merged_into = u.merged_into
           FROM unnest($1::text[], $2::text[], $3::text[]) AS u(child_id, state, merged_into) WHERE t.child_id = u.child_id`,
        [updated.map((r) => r.child_id), updated.map((r) => r.state), updated.map((r) => r.merged_into)],
      );
    }
    if (bulk) await bulk.spillIfLarge(tx, ctx);
    else await writeCells(tx, ctx, deltas);
  },
  async finishBulk(tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    await bulkCells(ctx).finish(tx, ctx);
  },
};

/** Keys a rebuild sums in memory before it spills them to a temporary table (about 1 kB each); tests lower it. */
export const INDICATOR_BULK = { spillKeys: 50_000 };

/**
 * A rebuild's cells: its shadow table starts empty and nobody reads it before the switch-over, so
 * instead of an upsert per batch (the same cells rewritten batch after batch, 159 columns wide:
 * most of the rebuild's time), the deltas of all batches are added up in memory and written once,
 * with COPY, at the end of the bulk. When more keys than `INDICATOR_BULK.spillKeys` are held, they go to a
 * temporary (unlogged, session-local) table, summed by key at the end. Either way the table ends
 * as the live projector leaves it: per key the sum of every delta, no row whose sums are all zero.
 */
class BulkCells {
  readonly deltas = new Map<string, Contribution>();
  private spilled = false;

  private spillTable(ctx: ProjectionContext): string {
    return `pg_temp.${ctx.table('rm_indicator_cells')}_spill`;
  }

  async spillIfLarge(tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    if (this.deltas.size >= INDICATOR_BULK.spillKeys) await this.spill(tx, ctx);
  }

  private async spill(tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    const table = this.spillTable(ctx);
    if (!this.spilled) {
      await tx.query(`DROP TABLE IF EXISTS ${table}`);
      await tx.query(`CREATE TEMP TABLE ${table.slice('pg_temp.'.length)} (LIKE ${ctx.table('rm_indicator_cells')})`);
      this.spilled = true;
    }
    await copyLines(tx, table, [...DELTA_KEY_COLUMNS, ...CELL_COLUMNS], cellLines(this.deltas));
    this.deltas.clear();
  }

  async finish(tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    const cells = ctx.table('rm_indicator_cells');
    const cols = [...DELTA_KEY_COLUMNS, ...CELL_COLUMNS];
    if (!this.spilled) {
      await copyLines(tx, cells, cols, cellLines(this.deltas));
      this.deltas.clear();
      return;
    }
    await this.spill(tx, ctx);
    const table = this.spillTable(ctx);
    await tx.query(
      `INSERT INTO ${cells} (${cols.join(', ')})
       SELECT ${DELTA_KEY_COLUMNS.join(', ')}, ${CELL_COLUMNS.map((c) => `sum(${c})::integer`).join(', ')} FROM ${table}
        GROUP BY ${DELTA_KEY_COLUMNS.join(', ')}
       HAVING NOT (${CELL_COLUMNS.map((c) => `sum(${c}) = 0`).join(' AND ')})`,
    );
    await tx.query(`DROP TABLE ${table}`);
    this.spilled = false;
  }
}

/** The COPY lines of the keys whose deltas are not all zero (key fields never hold a tab, newline or backslash). */
function* cellLines(deltas: ReadonlyMap<string, Contribution>): Iterable<string> {
  for (const [k, v] of deltas) {
    if (!v.some((x) => x !== 0)) continue;
    yield `${k.replaceAll('|', '\t')}\t${v.join('\t')}`;
  }
}

function bulkCells(ctx: ProjectionContext): BulkCells {
  const scratch = ctx.bulk!;
  let b = scratch.get('indicators') as BulkCells | undefined;
  if (!b) {
    b = new BulkCells();
    scratch.set('indicators', b);
  }
  return b;
}

function keyParams(keys: string[][]): unknown[] {
  return [...DELTA_KEY_COLUMNS.map((_c, i) => keys.map((k) => (i === 6 ? Number(k[i]) : k[i])))];
}
const KEY_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'integer'];

async function writeCells(tx: ClientBase, ctx: ProjectionContext, deltas: Map<string, Contribution>): Promise<void> {
  const changed = [...deltas].filter(([, v]) => v.some((x) => x !== 0));
  if (changed.length === 0) return;
  const keys = changed.map(([k]) => k.split('|'));
  // Each column as the text of its array literal: node-postgres would otherwise serialise the
  // (many, mostly zero) values one by one, most of the write time with 139 columns.
  const params: unknown[] = [...keyParams(keys), ...CELL_COLUMNS.map((_f, i) => `{${changed.map(([, v]) => v[i]).join(',')}}`)];
  const table = ctx.table('rm_indicator_cells');
  const cols = [...DELTA_KEY_COLUMNS, ...CELL_COLUMNS];
  const types = [...KEY_TYPES, ...CELL_COLUMNS.map(() => 'integer')];
  // The upsert returns the keys of the rows its deltas brought back to zero; those are deleted, so
  // the table is the same whatever the batches were.
  const zero = await tx.query<Record<string, string | number>>(
    `WITH up AS (
       INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       ON CONFLICT (${DELTA_KEY_COLUMNS.join(', ')}) DO UPDATE SET ${CELL_COLUMNS.map((f) => `${f} = ${table}.${f} + excluded.${f}`).join(', ')}
       RETURNING ${DELTA_KEY_COLUMNS.join(', ')}, (${CELL_COLUMNS.map((f) => `${f} = 0`).join(' AND ')}) AS zero)
     SELECT ${DELTA_KEY_COLUMNS.join(', ')} FROM up WHERE zero`,
    params,
  );
  await deleteKeys(tx, table, zero.rows);
}

/** Deletes the rows of these keys (usually few: those whose deltas came back to zero). */
async function deleteKeys(tx: ClientBase, table: string, rows: Record<string, string | number>[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = DELTA_KEY_COLUMNS;
  const types = KEY_TYPES;
  await tx.query(
    `DELETE FROM ${table} t USING unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')}) AS k(${cols.map((_c, i) => `c${i}`).join(', ')})
      WHERE ${cols.map((c, i) => `t.${c} = k.c${i}`).join(' AND ')}`,
    cols.map((c) => rows.map((r) => r[c])),
  );
}

const FACT_EVENT_TYPES = new Set(['CaseAssessed', 'InterventionDelivered', 'CaseClosed', 'CaseReferred', 'CaseReopened']);
