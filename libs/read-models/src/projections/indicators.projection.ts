import type { ClientBase } from 'pg';
import type { RecordedEvent } from '@childledger/event-store';
import type { UnitResolver } from '../unit-resolver';
import { asCaseEvent } from '../events';
import { addDays, insertRows, Projection, ProjectionContext } from '../projection';
import { CaseRow, evolveCase } from './cases.projection';
import { ChildDoc, ChildRow, childIdOfStream, evolveChild, SpellRow } from './children.projection';

/**
 * Indicator facts, kept so that an indicator for any unit and period is one small indexed sum.
 *
 * For every child the projection knows, for each period granularity (year, quarter, month) and
 * each unit list (current, pre-2025), which unit the child counts in and what it contributes
 * (the vector below) in every period: that contribution is a function of the period index, and
 * it is constant after the child's last dated change (open spells stay open, facts are dated).
 * So it is a few runs of equal contributions, the last one open-ended. The table
 * `rm_indicator_deltas` holds, per unit and period, the sum over children of the *changes* of
 * contribution at that period (+vector where a run starts, −vector where it ends): the value for
 * period k is the sum of the deltas at periods ≤ k. No row is needed for periods that have not
 * happened yet, and time passing changes nothing.
 *
 * Per child, the projection keeps the little it needs (`rm_indicator_children`: the child row
 * without personal data, its spells, its dated case facts) and folds events with the same pure
 * functions as the children and cases projections (`evolveChild`, `evolveCase`), so the
 * definitions cannot drift apart. A batch computes each touched child's deltas before and after
 * and adds the difference.
 */

export const GRANULARITIES = ['Y', 'Q', 'M'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const UNIT_LISTS = ['current', 'pre_2025'] as const;
export type UnitList = (typeof UNIT_LISTS)[number];

/** What a child contributes to a unit and period, in this order (columns of rm_indicator_deltas). */
export const CONTRIBUTION_FIELDS = ['children', 'sc', 'sc_supported', 'ar', 'ar_supported', 'opened', 'closed', 'assessed', 'assessed_on_time', 'nid'] as const;
export type Contribution = number[];

/** The period of granularity `g` a day (YYYY-MM-DD) falls in, as one integer (year; year·4 + quarter; year·12 + month). */
export function periodIndex(g: Granularity, day: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1;
  return g === 'Y' ? y : g === 'Q' ? y * 4 + Math.floor(m / 3) : y * 12 + m;
}

const boundsCache = new Map<string, readonly [string, string]>();

/** First and last day of period `k` of granularity `g`. */
export function periodBounds(g: Granularity, k: number): readonly [string, string] {
  const key = `${g}${k}`;
  let b = boundsCache.get(key);
  if (!b) {
    const [y, m0, months] = g === 'Y' ? [k, 0, 12] : g === 'Q' ? [Math.floor(k / 4), (k % 4) * 3, 3] : [Math.floor(k / 12), k % 12, 1];
    const first = new Date(Date.UTC(y, m0, 1)).toISOString().slice(0, 10);
    const last = new Date(Date.UTC(y, m0 + months, 0)).toISOString().slice(0, 10);
    b = [first, last] as const;
    boundsCache.set(key, b);
  }
  return b;
}

/** A spell as kept here: [id while open ('' once closed), kind, from, to|null, commune, province, old commune, old province]. */
type SpellTuple = [string, SpellRow['kind'], string, string | null, string | null, string | null, string | null, string | null];
/** A dated case fact: [o(pened)|a(ssessed)|d(elivered)|c(losed), day, on time 1|0]. */
type FactTuple = ['o' | 'a' | 'd' | 'c', string, 0 | 1];

/** One child's state (the `state` column of rm_indicator_children). No personal data. */
export interface IndicatorChildState {
  /** What is kept of the child row the children projection folds (the rest does not count); null until registered. */
  child: Pick<ChildRow, 'child_id' | 'status' | 'personal_erased'> | null;
  /** In the order they were opened. */
  spells: SpellTuple[];
  /** Open spells: `kind:grp` → spell id. */
  open: Record<string, string>;
  facts: FactTuple[];
}

export const emptyIndicatorState = (): IndicatorChildState => ({ child: null, spells: [], open: {}, facts: [] });

const FACT_KINDS: Record<string, FactTuple[0]> = { opened: 'o', assessed: 'a', delivered: 'd', closed: 'c' };

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
  return {
    doc: { child: state.child ? { ...CHILD_DEFAULTS, ...state.child } : undefined, open, queue: new Map() },
    spells: state.spells,
    byId,
    facts: state.facts,
  };
}

/** Folds one event of the child's own stream (through `evolveChild`). */
export function applyChildEvent(opened: OpenedChildState, e: RecordedEvent, units: UnitResolver): void {
  const changes = evolveChild(opened.doc, e, units);
  for (const s of changes.spells) {
    const tuple: SpellTuple = [s.spell_id, s.kind, s.effective_from, s.effective_to, s.commune_code, s.province_code, s.old_commune_code, s.old_province_code];
    const existing = opened.byId.get(s.spell_id);
    if (existing) existing.splice(0, tuple.length, ...tuple);
    else {
      opened.spells.push(tuple);
      opened.byId.set(s.spell_id, tuple);
    }
  }
}

export function closeChildState(opened: OpenedChildState): IndicatorChildState {
  const c = opened.doc.child;
  const open: Record<string, string> = {};
  for (const [key, s] of opened.doc.open) open[key] = s.spell_id;
  const stillOpen = new Set(Object.values(open));
  // A closed spell never changes again: its id is dropped (smaller state).
  const spells = opened.spells.map((t): SpellTuple => (t[0] === '' || stillOpen.has(t[0]) ? t : ['', t[1], t[2], t[3], t[4], t[5], t[6], t[7]]));
  return { child: c ? { child_id: c.child_id, status: c.status, personal_erased: c.personal_erased } : null, spells, open, facts: opened.facts };
}

/** The dated fact a case event adds (through `evolveCase`, so dates and on-time flags are the cases projection's), if any. */
export function caseFact(e: RecordedEvent, caseId: string, childId: string): FactTuple | null {
  const stub = { case_id: caseId, child_id: childId, status: 'report_received', reopened_count: 0, personal: null } as unknown as CaseRow;
  const { fact } = evolveCase(e.type === 'CaseOpened' ? undefined : stub, e);
  const kind = fact ? FACT_KINDS[fact.kind] : undefined;
  return fact && kind ? [kind, fact.occurred_on, fact.on_time ? 1 : 0] : null;
}

/**
 * The contribution deltas of one child, added (sign +1) or taken away (−1) into `out`, keyed by
 * `granularity|list|province|commune|period`. Merged duplicates and children without a residence
 * contribute nothing, as docs/indicators.md defines.
 */
export function addChildDeltas(state: IndicatorChildState, sign: 1 | -1, out: Map<string, Contribution>): void {
  const c = state.child;
  if (!c || c.status === 'merged') return;
  const residences = state.spells.filter((s) => s[1] === 'residence');
  if (residences.length === 0) return;
  const others = state.spells.filter((s) => s[1] !== 'residence');
  let minDay = residences[0]![2];
  let maxDay = minDay;
  for (const s of state.spells) {
    if (s[2] < minDay && s[1] === 'residence') minDay = s[2];
    if (s[2] > maxDay) maxDay = s[2];
    if (s[3] !== null) {
      const after = addDays(s[3], 1);
      if (after > maxDay) maxDay = after;
    }
  }
  for (const f of state.facts) if (f[1] > maxDay) maxDay = f[1];

  for (const g of GRANULARITIES) {
    const k0 = periodIndex(g, minDay);
    const k1 = Math.max(k0, periodIndex(g, maxDay) + 1);
    const prev: [string | null, string | null] = [null, null];
    const prevVec: [string, string] = ['', ''];
    const prevArr: [Contribution | null, Contribution | null] = [null, null];
    for (let k = k0; k <= k1; k++) {
      const [from, to] = periodBounds(g, k);
      // The residence with the latest start on or before the last day (on equal starts, the one ending last).
      let r: SpellTuple | null = null;
      for (const s of residences) {
        if (s[2] > to) continue;
        if (!r || s[2] > r[2] || (s[2] === r[2] && (s[3] ?? '9999-12-31') > (r[3] ?? '9999-12-31'))) r = s;
      }
      let vec: Contribution | null = null;
      if (r) {
        let sc = 0;
        let ar = 0;
        let nid = 0;
        for (const s of others) {
          if (s[2] > to) continue;
          if (s[1] === 'national_id') {
            if (s[3] === null || s[3] >= to) nid = 1;
          } else if (s[3] === null || s[3] >= from) {
            if (s[1] === 'circumstance') sc = 1;
            else if (s[1] === 'risk') ar = 1;
          }
        }
        let opened = 0;
        let closed = 0;
        let assessed = 0;
        let onTime = 0;
        let delivered = 0;
        for (const f of state.facts) {
          if (f[1] < from || f[1] > to) continue;
          if (f[0] === 'o') opened++;
          else if (f[0] === 'c') closed++;
          else if (f[0] === 'a') {
            assessed++;
            onTime += f[2];
          } else delivered = 1;
        }
        vec = [1, sc, sc & delivered, ar, ar & delivered, opened, closed, assessed, onTime, nid];
      }
      const vecKey = vec ? vec.join(',') : '';
      for (let l = 0; l < 2; l++) {
        const province = r ? (l === 0 ? r[5] : r[7]) : null;
        const unit = vec && province ? `${g}|${UNIT_LISTS[l]}|${province}|${(l === 0 ? r![4] : r![6]) ?? ''}` : null;
        if (unit === prev[l] && (unit === null || vecKey === prevVec[l])) continue;
        if (prev[l] !== null) add(out, `${prev[l]}|${k}`, prevArr[l]!, -sign);
        if (unit !== null) add(out, `${unit}|${k}`, vec!, sign);
        prev[l] = unit;
        prevVec[l] = vecKey;
        prevArr[l] = vec;
      }
    }
  }
}

function add(out: Map<string, Contribution>, key: string, vec: Contribution, sign: number): void {
  let acc = out.get(key);
  if (!acc) {
    acc = new Array<number>(CONTRIBUTION_FIELDS.length).fill(0);
    out.set(key, acc);
  }
  for (let i = 0; i < vec.length; i++) acc[i]! += sign * vec[i]!;
}

const DELTA_KEY_COLUMNS = ['granularity', 'units', 'province_code', 'commune_code', 'period_index'] as const;

/** Indicator facts per unit and period (see the comment at the top of this file). */
export const indicatorsProjection: Projection = {
  name: 'indicators',
  tables: ['rm_indicator_children', 'rm_indicator_cases', 'rm_indicator_deltas'],
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
    const deltas = new Map<string, Contribution>();
    for (const r of res.rows) {
      const state = JSON.parse(r.state) as IndicatorChildState;
      addChildDeltas(state, -1, deltas);
      opened.set(r.child_id, openChildState(state));
    }
    for (const id of ids) if (!opened.has(id)) opened.set(id, openChildState(emptyIndicatorState()));
    for (const e of mine) {
      const childId = childOf(e);
      if (childId === null) continue;
      const o = opened.get(childId)!;
      const caseId = caseOf(e);
      if (caseId === null) applyChildEvent(o, e, ctx.units);
      else {
        const fact = caseFact(e, caseId, childId);
        if (fact) o.facts.push(fact);
      }
    }
    const states = new Map([...opened].map(([id, o]) => [id, closeChildState(o)]));
    for (const state of states.values()) addChildDeltas(state, 1, deltas);

    // New cases and children are appended (COPY: a twice-applied event fails on the key), known children updated.
    await insertRows(
      tx,
      ctx,
      'rm_indicator_cases',
      ['case_id', 'child_id'],
      newCases.map(([case_id, child_id]) => ({ case_id, child_id })),
    );
    const known = new Set(res.rows.map((r) => r.child_id));
    const rows = [...states].map(([child_id, state]) => ({ child_id, state: JSON.stringify(state) }));
    await insertRows(
      tx,
      ctx,
      'rm_indicator_children',
      ['child_id', 'state'],
      rows.filter((r) => !known.has(r.child_id)),
    );
    const updated = rows.filter((r) => known.has(r.child_id));
    if (updated.length > 0) {
      await tx.query(
        `UPDATE ${ctx.table('rm_indicator_children')} t SET state = u.state FROM unnest($1::text[], $2::text[]) AS u(child_id, state) WHERE t.child_id = u.child_id`,
        [updated.map((r) => r.child_id), updated.map((r) => r.state)],
      );
    }
    const changed = [...deltas].filter(([, v]) => v.some((x) => x !== 0));
    if (changed.length === 0) return;
    const keys = changed.map(([k]) => k.split('|'));
    const params: unknown[] = [
      keys.map((k) => k[0]),
      keys.map((k) => k[1]),
      keys.map((k) => k[2]),
      keys.map((k) => k[3]),
      keys.map((k) => Number(k[4])),
      ...CONTRIBUTION_FIELDS.map((_f, i) => changed.map(([, v]) => v[i])),
    ];
    const table = ctx.table('rm_indicator_deltas');
    const cols = [...DELTA_KEY_COLUMNS, ...CONTRIBUTION_FIELDS];
    const types = ['text', 'text', 'text', 'text', 'integer', ...CONTRIBUTION_FIELDS.map(() => 'integer')];
    await tx.query(
      `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       ON CONFLICT (${DELTA_KEY_COLUMNS.join(', ')}) DO UPDATE SET ${CONTRIBUTION_FIELDS.map((f) => `${f} = ${table}.${f} + excluded.${f}`).join(', ')}`,
      params,
    );
    // Rows whose deltas came back to zero are deleted, so the table is the same whatever the batches were.
    await tx.query(
      `DELETE FROM ${table} t USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[]) AS k(g, u, p, c, i)
        WHERE t.granularity = k.g AND t.units = k.u AND t.province_code = k.p AND t.commune_code = k.c AND t.period_index = k.i
          AND ${CONTRIBUTION_FIELDS.map((f) => `t.${f} = 0`).join(' AND ')}`,
      params.slice(0, 5),
    );
  },
};

const FACT_EVENT_TYPES = new Set(['CaseAssessed', 'InterventionDelivered', 'CaseClosed']);
