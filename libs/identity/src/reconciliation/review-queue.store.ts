import type { ClientBase, Pool } from 'pg';
import type { ScoredCandidate } from '@childledger/matching';

/** A candidate's details as the national database gave them: only the fields the engine compared. */
export interface ReviewResident {
  fullName: string;
  sex?: 'M' | 'F';
  dateOfBirth?: string;
  residenceCommuneCode?: string;
  fatherFullName?: string;
  motherFullName?: string;
}

export interface ReviewCandidate {
  personalId: string;
  probability: number;
  /** Match weight in bits. */
  weight: number;
  fields: ScoredCandidate['fields'];
  /** What the officer compares side by side; absent on reviews opened before it was kept. */
  resident?: ReviewResident;
}

export interface ReviewItem {
  childId: string;
  communeCode: string;
  status: 'open' | 'resolved';
  reason: string;
  candidates: ReviewCandidate[];
  explanation: string;
  requestedEventId: string;
  requestedAt: string;
  resolvedAt?: string;
  resolution?: string;
}

interface Row {
  child_id: string;
  commune_code: string;
  status: 'open' | 'resolved';
  reason: string;
  candidates: ReviewCandidate[];
  explanation: string;
  requested_event_id: string;
  requested_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
}

const toItem = (r: Row): ReviewItem => ({
  childId: r.child_id,
  communeCode: r.commune_code,
  status: r.status,
  reason: r.reason,
  candidates: r.candidates,
  explanation: r.explanation,
  requestedEventId: r.requested_event_id,
  requestedAt: r.requested_at.toISOString(),
  ...(r.resolved_at ? { resolvedAt: r.resolved_at.toISOString() } : {}),
  ...(r.resolution ? { resolution: r.resolution } : {}),
});

/**
 * The data officers' review queue: one row per child the adapter sent to review, with the ranked
 * candidates (personal IDs of residents: personal data, deleted when the child's data is erased).
 */
export class ReviewQueueStore {
  constructor(private readonly pool: Pool) {}

  async open(item: Omit<ReviewItem, 'status' | 'resolvedAt' | 'resolution'>, client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO identity_review_queue (child_id, commune_code, status, reason, candidates, explanation, requested_event_id, requested_at)
       VALUES ($1, $2, 'open', $3, $4::jsonb, $5, $6, $7)
       ON CONFLICT (child_id) DO UPDATE SET commune_code = excluded.commune_code, status = 'open', reason = excluded.reason,
         candidates = excluded.candidates, explanation = excluded.explanation, requested_event_id = excluded.requested_event_id,
         requested_at = excluded.requested_at, resolved_at = NULL, resolution = NULL`,
      [item.childId, item.communeCode, item.reason, JSON.stringify(item.candidates), item.explanation, item.requestedEventId, item.requestedAt],
    );
  }

  /** Marks the child's open review resolved, unless the resolving event is the request itself. */
  async resolve(childId: string, resolution: string, byEventId: string | undefined, client: ClientBase | Pool = this.pool): Promise<boolean> {
    const res = await client.query(
      `UPDATE identity_review_queue SET status = 'resolved', resolved_at = now(), resolution = $2
       WHERE child_id = $1 AND status = 'open' AND ($3::uuid IS NULL OR requested_event_id <> $3::uuid)`,
      [childId, resolution, byEventId ?? null],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** Removes the row opened for this request event, if it is still that one. */
  async removeRequest(childId: string, requestedEventId: string): Promise<void> {
    await this.pool.query('DELETE FROM identity_review_queue WHERE child_id = $1 AND requested_event_id = $2', [childId, requestedEventId]);
  }

  async remove(childId: string, client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query('DELETE FROM identity_review_queue WHERE child_id = $1', [childId]);
  }

  async get(childId: string): Promise<ReviewItem | undefined> {
    const res = await this.pool.query<Row>('SELECT * FROM identity_review_queue WHERE child_id = $1', [childId]);
    return res.rows[0] ? toItem(res.rows[0]) : undefined;
  }

  /** Open reviews of children living in these communes (all when `communes` is undefined), oldest first. */
  async listOpen(communes: readonly string[] | undefined, limit = 200): Promise<ReviewItem[]> {
    const res = communes
      ? await this.pool.query<Row>(`SELECT * FROM identity_review_queue WHERE status = 'open' AND commune_code = ANY($1) ORDER BY requested_at LIMIT $2`, [
          communes,
          limit,
        ])
      : await this.pool.query<Row>(`SELECT * FROM identity_review_queue WHERE status = 'open' ORDER BY requested_at LIMIT $1`, [limit]);
    return res.rows.map(toItem);
  }
}

export interface IndexedChild {
  childId: string;
  communeCode: string;
  recordedOn: string;
  status: 'active' | 'merged' | 'erased';
}

/** Child id → commune and status (no personal data): which records a jurisdiction holds. */
export class ChildrenIndexStore {
  constructor(private readonly pool: Pool) {}

  async register(childId: string, communeCode: string, recordedOn: string, client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO identity_children (child_id, commune_code, recorded_on, status) VALUES ($1, $2, $3, 'active') ON CONFLICT (child_id) DO NOTHING`,
      [childId, communeCode, recordedOn],
    );
  }

  async moved(childId: string, communeCode: string, recordedOn: string, client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query(`UPDATE identity_children SET commune_code = $2, recorded_on = $3, updated_at = now() WHERE child_id = $1`, [
      childId,
      communeCode,
      recordedOn,
    ]);
  }

  async setStatus(childId: string, status: IndexedChild['status'], client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query(`UPDATE identity_children SET status = $2, updated_at = now() WHERE child_id = $1`, [childId, status]);
  }

  async active(limit: number): Promise<IndexedChild[]> {
    const res = await this.pool.query<{ child_id: string; commune_code: string; recorded_on: string; status: IndexedChild['status'] }>(
      `SELECT child_id, commune_code, to_char(recorded_on, 'YYYY-MM-DD') AS recorded_on, status FROM identity_children WHERE status = 'active' ORDER BY child_id LIMIT $1`,
      [limit],
    );
    return res.rows.map((r) => ({ childId: r.child_id, communeCode: r.commune_code, recordedOn: r.recorded_on, status: r.status }));
  }
}
