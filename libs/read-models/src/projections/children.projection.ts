import type { ClientBase } from 'pg';
import type { RecordedEvent } from '@childledger/event-store';
import type { UnitResolver } from '../unit-resolver';
import { asChildEvent } from '../events';
import {
  addDays,
  insertRows,
  personalErased,
  Projection,
  ProjectionContext,
  recordedAtText,
  Row,
  RowSet,
  str,
  streamsStartedIn,
  vietnamDay,
} from '../projection';

export interface ChildRow extends Row {
  child_id: string;
  status: 'active' | 'merged' | 'erased';
  sex: string | null;
  /** fullName, dateOfBirth, personalId, motherName, fatherName, notes; null once erased. */
  personal: Record<string, unknown> | null;
  personal_erased: boolean;
  registered_at: string | null;
  residence_commune_code: string | null;
  residence_effective_from: string | null;
  commune_code: string | null;
  province_code: string | null;
  old_commune_code: string | null;
  old_province_code: string | null;
  candidate_communes: string[];
  residence_ambiguous: boolean;
  circumstances: number[];
  risks: number[];
  national_id_state: 'none' | 'linked' | 'review_requested' | 'no_record_found';
  national_id_source: string | null;
  national_id_linked_at: string | null;
  merged_into: string | null;
  revision: number;
  last_event_at: string;
}

export interface SpellRow extends Row {
  spell_id: string;
  child_id: string;
  kind: 'residence' | 'circumstance' | 'risk' | 'national_id';
  grp: number;
  effective_from: string;
  /** Last day (inclusive); null while open. */
  effective_to: string | null;
  is_open: boolean;
  outcome: string | null;
  recorded_commune: string | null;
  commune_code: string | null;
  province_code: string | null;
  old_commune_code: string | null;
  old_province_code: string | null;
}

export interface QueueRow extends Row {
  child_id: string;
  /** `incomplete`: registered without a sex or with its personal ID kept aside (detail: the fields, comma-separated), until completed. */
  reason: 'identity_review' | 'no_national_record' | 'residence_split' | 'incomplete';
  source: string | null;
  detail: string | null;
  candidate_count: number | null;
  requested_at: string;
  commune_code: string | null;
  province_code: string | null;
}

const CHILD_COLUMNS = [
  'child_id',
  'status',
  'sex',
  'personal',
  'personal_erased',
  'registered_at',
  'residence_commune_code',
  'residence_effective_from',
  'commune_code',
  'province_code',
  'old_commune_code',
  'old_province_code',
  'candidate_communes',
  'residence_ambiguous',
  'circumstances',
  'risks',
  'national_id_state',
  'national_id_source',
  'national_id_linked_at',
  'merged_into',
  'revision',
  'last_event_at',
] as const;
const SPELL_COLUMNS = [
  'spell_id',
  'child_id',
  'kind',
  'grp',
  'effective_from',
  'effective_to',
  'is_open',
  'outcome',
  'recorded_commune',
  'commune_code',
  'province_code',
  'old_commune_code',
  'old_province_code',
] as const;
const QUEUE_COLUMNS = ['child_id', 'reason', 'source', 'detail', 'candidate_count', 'requested_at', 'commune_code', 'province_code'] as const;

/** One child's rows while a batch (or an as-of replay) is folded over them. */
export interface ChildDoc {
  child: ChildRow | undefined;
  /** Open spells by `kind:grp`. */
  open: Map<string, SpellRow>;
  queue: Map<string, QueueRow>;
}

/** What folding one event changed, for the caller to write. */
export interface ChildChanges {
  child?: boolean;
  spells: SpellRow[];
  queueUpserts: QueueRow[];
  queueDeletes: QueueRow[];
}

const PERSONAL_KEYS = ['fullName', 'dateOfBirth', 'personalId', 'motherName', 'fatherName', 'notes'];

function spellKey(kind: string, grp: number): string {
  return `${kind}:${grp}`;
}

/**
 * Folds one event of a child's stream over the child's rows. Pure apart from mutating `doc`
 * (no I/O): the projector uses it per batch, the query API to replay a stream as of a date.
 * Events it does not know leave the record as it is (the audit index still lists them).
 */
export function evolveChild(doc: ChildDoc, e: RecordedEvent, units: UnitResolver): ChildChanges {
  const changes: ChildChanges = { spells: [], queueUpserts: [], queueDeletes: [] };
  // Typed by the domain's event union: a field renamed there fails to compile here.
  const ev = asChildEvent(e);
  const at = recordedAtText(e);
  const erased = personalErased(e);
  // What the helpers below work on, in one object: they are module functions, not closures made
  // for every event (a rebuild folds each child event three times; six closures per fold were a
  // share of its garbage collection).
  const f: Fold = { doc, changes, e, at, units };

  if (ev?.type === 'ChildRegistered') {
    if (doc.child) return changes;
    const d = ev.data;
    doc.child = {
      child_id: String(d.childId),
      status: 'active',
      sex: str(d.sex),
      personal: erased ? null : pickPersonal(d.personal),
      personal_erased: erased,
      registered_at: str(d.registeredAt),
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
      revision: e.revision,
      last_event_at: at,
    };
    place(f, String(d.residence?.communeCode), String(d.residence?.effectiveFrom));
    // An incomplete record (admitted by an import with a field the officer can fix later) is work to finish.
    const incomplete: string[] = Array.isArray(d.incomplete) ? [...d.incomplete] : [];
    if (incomplete.length > 0) enqueue(f, 'incomplete', { source: 'registration', detail: incomplete.join(',') });
    changes.child = true;
    return changes;
  }
  const c = doc.child;
  if (!c) return changes;
  c.revision = e.revision;
  c.last_event_at = at;
  changes.child = true;
  if (erased && c.personal !== null) {
    c.personal = null;
    c.personal_erased = true;
  }
  if (!ev) return changes;

  switch (ev.type) {
    case 'ChildDetailsCorrected': {
      const d = ev.data;
      if (typeof d.sex === 'string') c.sex = d.sex;
      complete(f, ...(typeof d.sex === 'string' ? ['sex'] : []), ...(d.correctedFields ?? []).filter((x) => x === 'personalId'));
      if (!erased && c.personal && d.personal && typeof d.personal === 'object') {
        const next = { ...c.personal };
        for (const [k, v] of Object.entries(d.personal)) {
          if (!PERSONAL_KEYS.includes(k)) continue;
          if (v === null) delete next[k];
          else next[k] = v;
        }
        c.personal = next;
      }
      break;
    }
    case 'ResidenceChanged': {
      const from = String(ev.data.effectiveFrom);
      closeSpell(f, 'residence', 0, addDays(from, -1));
      place(f, String(ev.data.communeCode), from);
      break;
    }
    case 'SpecialCircumstanceIdentified': {
      const g = Number(ev.data.group);
      if (!c.circumstances.includes(g)) c.circumstances = [...c.circumstances, g].sort((a, b) => a - b);
      openSpell(f, 'circumstance', g, String(ev.data.effectiveFrom));
      break;
    }
    case 'SpecialCircumstanceEnded': {
      const g = Number(ev.data.group);
      c.circumstances = c.circumstances.filter((x) => x !== g);
      closeSpell(f, 'circumstance', g, String(ev.data.effectiveTo));
      break;
    }
    case 'RiskIdentified': {
      const g = Number(ev.data.group);
      if (!c.risks.includes(g)) c.risks = [...c.risks, g].sort((a, b) => a - b);
      openSpell(f, 'risk', g, String(ev.data.effectiveFrom));
      break;
    }
    case 'RiskResolved': {
      const g = Number(ev.data.group);
      c.risks = c.risks.filter((x) => x !== g);
      closeSpell(f, 'risk', g, String(ev.data.effectiveTo), str(ev.data.outcome));
      break;
    }
    case 'NationalIdLinked': {
      const d = ev.data;
      c.national_id_state = 'linked';
      c.national_id_source = str(d.source);
      c.national_id_linked_at = str(d.linkedAt);
      if (!erased && c.personal && d.personal) c.personal = { ...c.personal, personalId: d.personal.personalId };
      openSpell(f, 'national_id', 0, vietnamDay(String(d.linkedAt)));
      dequeue(f, 'identity_review', 'no_national_record');
      // The national database gave the child's own ID: the number kept aside is settled.
      complete(f, 'personalId');
      break;
    }
    case 'NationalIdUnlinked': {
      c.national_id_state = 'none';
      c.national_id_source = null;
      c.national_id_linked_at = null;
      closeSpell(f, 'national_id', 0, addDays(vietnamDay(String(ev.data.unlinkedAt)), -1));
      break;
    }
    case 'IdentityReviewRequested': {
      const d = ev.data;
      if (c.national_id_state !== 'linked') c.national_id_state = 'review_requested';
      enqueue(f, 'identity_review', {
        // The reason is free text (under the event's personal part): kept while the child's data is readable.
        source: str(d.source),
        detail: erased ? null : str(d.personal?.reason),
        candidate_count: typeof d.candidateCount === 'number' ? d.candidateCount : null,
        requested_at: str(d.requestedAt) ?? at,
      });
      break;
    }
    case 'NoNationalRecordFound': {
      if (c.national_id_state !== 'linked') c.national_id_state = 'no_record_found';
      dequeue(f, 'identity_review');
      enqueue(f, 'no_national_record', { source: str(ev.data.source), requested_at: str(ev.data.checkedAt) ?? at });
      break;
    }
    case 'ChildRecordsMerged': {
      c.status = 'merged';
      c.merged_into = str(ev.data.survivingChildId);
      dequeue(f, 'identity_review', 'no_national_record', 'residence_split', 'incomplete');
      break;
    }
    case 'ChildRecordsMergeReverted': {
      c.status = c.personal_erased && c.status === 'erased' ? 'erased' : 'active';
      c.merged_into = null;
      break;
    }
    case 'ChildPersonalDataErased': {
      c.status = 'erased';
      c.personal = null;
      c.personal_erased = true;
      dequeue(f, 'identity_review', 'no_national_record', 'residence_split', 'incomplete');
      break;
    }
    default: {
      // Every child event of the domain is handled above: a new one fails to compile here.
      const unhandled: never = ev;
      void unhandled;
      break;
    }
  }
  return changes;
}

/** One event's fold: the child's rows, what changed, the event and its recorded instant as text. */
interface Fold {
  doc: ChildDoc;
  changes: ChildChanges;
  e: RecordedEvent;
  at: string;
  units: UnitResolver;
}

function openSpell(f: Fold, kind: SpellRow['kind'], grp: number, from: string, extra?: Partial<SpellRow>): void {
  const spell: SpellRow = {
    spell_id: f.e.id,
    child_id: f.doc.child!.child_id,
    kind,
    grp,
    effective_from: from,
    effective_to: null,
    is_open: true,
    outcome: null,
    recorded_commune: null,
    commune_code: null,
    province_code: null,
    old_commune_code: null,
    old_province_code: null,
    ...extra,
  };
  f.doc.open.set(spellKey(kind, grp), spell);
  f.changes.spells.push(spell);
}

function closeSpell(f: Fold, kind: SpellRow['kind'], grp: number, lastDay: string, outcome: string | null = null): void {
  const key = spellKey(kind, grp);
  const spell = f.doc.open.get(key);
  if (!spell) return;
  spell.effective_to = lastDay;
  spell.is_open = false;
  spell.outcome = outcome;
  f.doc.open.delete(key);
  f.changes.spells.push(spell);
}

function enqueue(f: Fold, reason: QueueRow['reason'], fields: Partial<QueueRow>): void {
  const c = f.doc.child!;
  const row: QueueRow = {
    child_id: c.child_id,
    reason,
    source: null,
    detail: null,
    candidate_count: null,
    requested_at: f.at,
    commune_code: c.commune_code,
    province_code: c.province_code,
    ...fields,
  };
  f.doc.queue.set(reason, row);
  f.changes.queueUpserts.push(row);
}

function dequeue(f: Fold, ...reasons: QueueRow['reason'][]): void {
  for (const reason of reasons) {
    const row = f.doc.queue.get(reason);
    if (row) {
      f.doc.queue.delete(reason);
      f.changes.queueDeletes.push(row);
    }
  }
}

function place(f: Fold, communeCode: string, effectiveFrom: string): void {
  const c = f.doc.child!;
  const placed = f.units.place(communeCode, effectiveFrom);
  c.residence_commune_code = communeCode;
  c.residence_effective_from = effectiveFrom;
  c.commune_code = placed.communeCode;
  c.province_code = placed.provinceCode;
  c.old_commune_code = placed.oldCommuneCode;
  c.old_province_code = placed.oldProvinceCode;
  c.candidate_communes = placed.candidates;
  c.residence_ambiguous = placed.ambiguous;
  openSpell(f, 'residence', 0, effectiveFrom, {
    recorded_commune: communeCode,
    commune_code: placed.communeCode,
    province_code: placed.provinceCode,
    old_commune_code: placed.oldCommuneCode,
    old_province_code: placed.oldProvinceCode,
  });
  for (const row of f.doc.queue.values()) {
    row.commune_code = placed.communeCode;
    row.province_code = placed.provinceCode;
    f.changes.queueUpserts.push(row);
  }
  if (placed.ambiguous) enqueue(f, 'residence_split', { detail: `recorded commune ${communeCode} was split into ${placed.candidates.join(', ')}` });
  else dequeue(f, 'residence_split');
}

/** Takes completed fields off the record's incomplete entry; the entry goes once nothing is left. */
function complete(f: Fold, ...fields: string[]): void {
  const row = f.doc.queue.get('incomplete');
  if (!row) return;
  const left = (row.detail ?? '').split(',').filter((x) => x && !fields.includes(x));
  if (left.length === 0) dequeue(f, 'incomplete');
  else if (left.join(',') !== row.detail) {
    row.detail = left.join(',');
    f.changes.queueUpserts.push(row);
  }
}

function pickPersonal(p: object | null | undefined): Record<string, unknown> | null {
  if (!p || typeof p !== 'object') return null;
  const given = p as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of PERSONAL_KEYS) if (given[k] !== undefined && given[k] !== null) out[k] = given[k];
  return out;
}

export const childIdOfStream = (streamId: string): string | null => (streamId.startsWith('child-') ? streamId.slice('child-'.length) : null);

/** Children: current details, residence in today's units, circumstances, risks, national-ID state; spells; the reconciliation queue. */
export const childrenProjection: Projection = {
  name: 'children',
  tables: ['rm_children', 'rm_child_spells', 'rm_reconciliation_queue'],
  async apply(events: readonly RecordedEvent[], tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    const mine = events.filter((e) => e.streamId.startsWith('child-'));
    if (mine.length === 0) return;
    const ids = [...new Set(mine.map((e) => childIdOfStream(e.streamId)!))];
    const children = new RowSet<ChildRow>('rm_children', ['child_id']);
    const spells = new RowSet<SpellRow>('rm_child_spells', ['spell_id']);
    const queue = new RowSet<QueueRow>('rm_reconciliation_queue', ['child_id', 'reason']);
    // A child whose stream starts in this batch has no rows yet.
    const started = streamsStartedIn(mine);
    const known = ids.filter((id) => !started.has(`child-${id}`));
    await children.load(tx, ctx, 'child_id', known);
    await spells.load(tx, ctx, 'child_id', known, 'is_open');
    await queue.load(tx, ctx, 'child_id', known);
    const docs = new Map<string, ChildDoc>();
    for (const id of ids) docs.set(id, { child: children.get({ child_id: id }), open: new Map(), queue: new Map() });
    for (const s of spells.all()) docs.get(s.child_id)?.open.set(spellKey(s.kind, s.grp), s);
    for (const q of queue.all()) docs.get(q.child_id)?.queue.set(q.reason, q);
    const newSpells = new Set<SpellRow>();
    for (const e of mine) {
      const id = childIdOfStream(e.streamId)!;
      const doc = docs.get(id)!;
      const ch = evolveChild(doc, e, ctx.units);
      // The rows of a child whose stream starts here are new: appended rather than upserted.
      const isNew = started.has(e.streamId);
      if (ch.child && doc.child) {
        if (isNew) children.add(doc.child);
        else children.put(doc.child);
      }
      for (const s of ch.spells) {
        if (spells.get(s)) spells.touch(s);
        else newSpells.add(s);
      }
      for (const q of ch.queueDeletes) queue.remove(q);
      for (const q of ch.queueUpserts) {
        if (doc.queue.get(q.reason) !== q) continue;
        if (isNew) queue.add(q);
        else queue.put(q);
      }
    }
    await children.flush(tx, ctx, CHILD_COLUMNS);
    // Spells opened in this batch are new rows (keyed by the opening event): inserted, so a
    // twice-applied event fails on the key instead of passing unnoticed.
    await spells.flush(tx, ctx, SPELL_COLUMNS);
    await insertRows(tx, ctx, 'rm_child_spells', SPELL_COLUMNS, [...newSpells]);
    await queue.flush(tx, ctx, QUEUE_COLUMNS);
  },
};
