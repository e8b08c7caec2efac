import type { ClientBase } from 'pg';
import type { RecordedEvent } from '@childledger/event-store';
import { foldVietnameseName } from '@childledger/domain';
import { Projection, ProjectionContext, Row, RowSet, streamsStartedIn } from '../projection';
import { ChildDoc, childIdOfStream, ChildRow, evolveChild } from './children.projection';

/** One child as the search finds it (rm_child_search). Only children whose personal data is readable have a row. */
export interface ChildSearchRow extends Row {
  child_id: string;
  status: ChildRow['status'];
  sex: string | null;
  full_name: string;
  /** ' ' + the folded name (`foldVietnameseName`): each word of a query matches the start of a word. */
  name_folded: string;
  date_of_birth: string | null;
  personal_id: string | null;
  residence_commune_code: string | null;
  residence_effective_from: string | null;
  commune_code: string | null;
  province_code: string | null;
  candidate_communes: string[];
  national_id_state: ChildRow['national_id_state'];
  circumstances: number[];
  risks: number[];
  revision: number;
}

const SEARCH_COLUMNS = [
  'child_id',
  'status',
  'sex',
  'full_name',
  'name_folded',
  'date_of_birth',
  'personal_id',
  'residence_commune_code',
  'residence_effective_from',
  'commune_code',
  'province_code',
  'candidate_communes',
  'national_id_state',
  'circumstances',
  'risks',
  'revision',
] as const;

/** The children projection's row rebuilt from a search row, so the same fold (`evolveChild`) moves it on. */
function asChildRow(r: ChildSearchRow): ChildRow {
  const personal: Record<string, unknown> = { fullName: r.full_name };
  if (r.date_of_birth) personal['dateOfBirth'] = r.date_of_birth;
  if (r.personal_id) personal['personalId'] = r.personal_id;
  return {
    child_id: r.child_id,
    status: r.status,
    sex: r.sex,
    personal,
    personal_erased: false,
    registered_at: null,
    residence_commune_code: r.residence_commune_code,
    residence_effective_from: r.residence_effective_from,
    commune_code: r.commune_code,
    province_code: r.province_code,
    old_commune_code: null,
    old_province_code: null,
    candidate_communes: r.candidate_communes ?? [],
    residence_ambiguous: (r.candidate_communes ?? []).length > 1,
    circumstances: r.circumstances ?? [],
    risks: r.risks ?? [],
    national_id_state: r.national_id_state,
    national_id_source: null,
    national_id_linked_at: null,
    merged_into: null,
    revision: r.revision,
    last_event_at: '',
  };
}

/**
 * ' ' + the folded name, remembered: every event of a child rebuilds its row, and folding the name
 * each time was a third of this projection's CPU in a rebuild (names change rarely, and repeat).
 */
function foldedName(fullName: string): string {
  let folded = FOLDED.get(fullName);
  if (folded === undefined) {
    folded = ` ${foldVietnameseName(fullName)}`;
    if (FOLDED.size >= 100_000) FOLDED.clear();
    FOLDED.set(fullName, folded);
  }
  return folded;
}
const FOLDED = new Map<string, string>();

/** The search row of a child, or null when there is nothing to search by (personal data erased, no name). */
export function childSearchRow(c: ChildRow): ChildSearchRow | null {
  const p = c.personal;
  const fullName = typeof p?.['fullName'] === 'string' ? p['fullName'] : null;
  if (c.personal_erased || c.status === 'erased' || !p || !fullName) return null;
  const dob = typeof p['dateOfBirth'] === 'string' ? p['dateOfBirth'] : null;
  const pid = typeof p['personalId'] === 'string' ? p['personalId'] : null;
  return {
    child_id: c.child_id,
    status: c.status,
    sex: c.sex,
    full_name: fullName,
    name_folded: foldedName(fullName),
    date_of_birth: dob,
    personal_id: pid,
    residence_commune_code: c.residence_commune_code,
    residence_effective_from: c.residence_effective_from,
    commune_code: c.commune_code,
    province_code: c.province_code,
    candidate_communes: c.candidate_communes,
    national_id_state: c.national_id_state,
    circumstances: c.circumstances,
    risks: c.risks,
    revision: c.revision,
  };
}

/**
 * The search read model: children by folded name, birth date, residence (in today's units),
 * personal ID, national-ID state and special-circumstance groups. It folds the child's events
 * with the children projection's `evolveChild`; an erasure (or an event whose personal part can no
 * longer be decrypted) deletes the row, so an erased child cannot be found (docs/search.md).
 */
export const childSearchProjection: Projection = {
  name: 'child-search',
  tables: ['rm_child_search'],
  async apply(events: readonly RecordedEvent[], tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    const mine = events.filter((e) => e.streamId.startsWith('child-'));
    if (mine.length === 0) return;
    const ids = [...new Set(mine.map((e) => childIdOfStream(e.streamId)!))];
    const rows = new RowSet<ChildSearchRow>('rm_child_search', ['child_id']);
    const started = streamsStartedIn(mine);
    await rows.load(
      tx,
      ctx,
      'child_id',
      ids.filter((id) => !started.has(`child-${id}`)),
    );
    const docs = new Map<string, ChildDoc>();
    for (const id of ids) {
      const row = rows.get({ child_id: id });
      docs.set(id, { child: row ? asChildRow(row) : undefined, open: new Map(), queue: new Map() });
    }
    const gone = new Set<string>();
    for (const e of mine) {
      const id = childIdOfStream(e.streamId)!;
      const doc = docs.get(id)!;
      // A child whose search row was deleted (erased) stays out: later events do not bring it back.
      if (gone.has(id)) continue;
      const hadRow = doc.child !== undefined;
      evolveChild(doc, e, ctx.units);
      if (!doc.child) continue;
      const next = childSearchRow(doc.child);
      const existing = rows.get({ child_id: id });
      if (next) {
        if (started.has(e.streamId) && !existing) rows.add(next);
        else rows.put(next);
      } else {
        if (existing) rows.remove(existing);
        if (hadRow || started.has(e.streamId)) gone.add(id);
        doc.child = undefined;
      }
    }
    await rows.flush(tx, ctx, SEARCH_COLUMNS);
  },
};
