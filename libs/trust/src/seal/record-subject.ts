import type { Pool } from 'pg';

/**
 * Where a stored event belongs, for jurisdiction checks: its child and the child's current
 * commune (from the stored, non-personal residence fields). Undefined when the event is not about
 * a child (or the child's registration is not in the log).
 */
export async function recordSubject(pool: Pool, eventId: string): Promise<{ childId: string; communeCode?: string } | undefined> {
  const { rows } = await pool.query<{ stream_id: string; child_id: string | null }>(
    "SELECT stream_id, data ->> 'childId' AS child_id FROM events WHERE event_id = $1",
    [eventId],
  );
  const row = rows[0];
  if (!row) return undefined;
  let childId = row.stream_id.startsWith('child-') ? row.stream_id.slice('child-'.length) : (row.child_id ?? undefined);
  if (!childId && row.stream_id.startsWith('case-')) {
    const first = await pool.query<{ child_id: string | null }>(
      `SELECT data ->> 'childId' AS child_id FROM events WHERE stream_id = $1 ORDER BY stream_revision LIMIT 1`,
      [row.stream_id],
    );
    childId = first.rows[0]?.child_id ?? undefined;
  }
  if (!childId) return undefined;
  const residence = await pool.query<{ commune: string | null }>(
    `SELECT coalesce(data -> 'residence' ->> 'communeCode', data ->> 'communeCode') AS commune FROM events
      WHERE stream_id = $1 AND event_type IN ('ChildRegistered', 'ResidenceChanged') ORDER BY stream_revision DESC LIMIT 1`,
    [`child-${childId}`],
  );
  return { childId, communeCode: residence.rows[0]?.commune ?? undefined };
}
