import type { ClientBase } from 'pg';
import { parseCheckpoint, RecordedEvent } from '@childledger/event-store';
import { EventType, PERSONAL_FIELDS } from '@childledger/domain';
import { insertRows, personalErased, Projection, ProjectionContext, recordedAtText, Row, str, streamsStartedIn } from '../projection';

export interface AuditRow extends Row {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  event_type: string;
  recorded_at: string;
  child_id: string | null;
  case_id: string | null;
  actor_user_id: string | null;
  actor_role: string | null;
  actor_unit: string | null;
  reason: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  personal_data_erased: boolean;
  /** The event's data without its personal part. */
  summary: Record<string, unknown>;
}

const AUDIT_COLUMNS = [
  'position',
  'event_id',
  'stream_id',
  'revision',
  'event_type',
  'recorded_at',
  'child_id',
  'case_id',
  'actor_user_id',
  'actor_role',
  'actor_unit',
  'reason',
  'correlation_id',
  'causation_id',
  'personal_data_erased',
  'summary',
] as const;

/** What the audit trail shows for a reason that was erased with the child's personal data. */
export const ERASED_REASON = '[erased]';

/** Event types whose reason is free text under `data.personal` (sealed with the child's key). */
const PERSONAL_REASON_TYPES = new Set(
  Object.entries(PERSONAL_FIELDS)
    .filter(([, paths]) => paths.includes('personal.reason'))
    .map(([type]) => type as EventType),
);

/**
 * The reason of an event as the audit shows it: the metadata's (free text sealed with the child's
 * key, opened by the encrypting store), else `data.personal.reason`, else the erasure's legal
 * reason (`data.reason`, in clear by design). Once the child is erased, an event that had a
 * free-text reason shows ERASED_REASON.
 */
export function auditReason(e: RecordedEvent): string | null {
  const data = e.data as Record<string, unknown>;
  const personal = data['personal'];
  const fromPersonal = personal !== null && typeof personal === 'object' ? str((personal as Record<string, unknown>)['reason']) : null;
  const reason = str(e.metadata.reason) ?? fromPersonal ?? str(data['reason']);
  if (reason !== null) return reason;
  const sealedAndGone = e.metadata['personal'] === null || (personal === null && PERSONAL_REASON_TYPES.has(e.type as EventType));
  return personalErased(e) && sealedAndGone ? ERASED_REASON : null;
}

/**
 * One audit entry per event, whatever its type (the identity adapter's calls to the national
 * database included): who (actor, role, unit), what (type, stream, summary), when, why (reason)
 * and under which correlation id. Personal data never enters the index. `childOfStream` says which
 * child a stream without `data.childId` belongs to (a case's later events).
 */
export function auditEntry(e: RecordedEvent, childOfStream: (streamId: string) => string | null): AuditRow {
  const data = e.data as Record<string, unknown>;
  const meta = e.metadata;
  const actor = (meta.actor ?? {}) as unknown as Record<string, unknown>;
  const { personal: _personal, ...summary } = data;
  return {
    position: Number(parseCheckpoint(e.position).globalPosition),
    event_id: e.id,
    stream_id: e.streamId,
    revision: e.revision,
    event_type: e.type,
    recorded_at: recordedAtText(e),
    child_id: str(data['childId']) ?? childOfStream(e.streamId),
    case_id: str(data['caseId']),
    actor_user_id: str(actor['userId']),
    actor_role: str(actor['role']),
    actor_unit: str(actor['unit']),
    reason: auditReason(e),
    correlation_id: str(meta.correlationId),
    causation_id: str(meta.causationId),
    personal_data_erased: personalErased(e),
    summary,
  };
}

export const auditProjection: Projection = {
  name: 'audit',
  tables: ['rm_audit_index', 'rm_audit_streams'],
  async apply(events: readonly RecordedEvent[], tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    if (events.length === 0) return;
    const streams = new Map<string, string>();
    // A stream that starts in this batch has no row yet: its child is named by one of its own events.
    const started = streamsStartedIn(events);
    const unknown = [
      ...new Set(events.filter((e) => typeof (e.data as Record<string, unknown>)['childId'] !== 'string' && !started.has(e.streamId)).map((e) => e.streamId)),
    ];
    if (unknown.length > 0) {
      const res = await tx.query<{ stream_id: string; child_id: string }>(
        `SELECT stream_id, child_id FROM ${ctx.table('rm_audit_streams')} WHERE stream_id = ANY($1)`,
        [unknown],
      );
      for (const r of res.rows) streams.set(r.stream_id, r.child_id);
    }
    const newStreams: { stream_id: string; child_id: string }[] = [];
    const rows = events.map((e) => {
      const childId = (e.data as Record<string, unknown>)['childId'];
      // Streams other than the child's own (a case) learn their child from the first event that names it.
      if (typeof childId === 'string' && !e.streamId.startsWith('child-') && !streams.has(e.streamId)) {
        streams.set(e.streamId, childId);
        newStreams.push({ stream_id: e.streamId, child_id: childId });
      }
      return auditEntry(e, (s) => streams.get(s) ?? null);
    });
    if (newStreams.length > 0) {
      await tx.query(`INSERT INTO ${ctx.table('rm_audit_streams')} (stream_id, child_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
        newStreams.map((r) => r.stream_id),
        newStreams.map((r) => r.child_id),
      ]);
    }
    await insertRows(tx, ctx, 'rm_audit_index', AUDIT_COLUMNS, rows);
    // An erasure reaches the entries already indexed: their free-text reasons were read in clear
    // (decrypted) when they were indexed; they now show ERASED_REASON, and the summary of an entry
    // indexed from an old event (reason in clear in its data) loses it. The erasure's own legal reason stays.
    const erased = [
      ...new Set(events.filter((e) => e.type === 'ChildPersonalDataErased').map((e) => str((e.data as Record<string, unknown>)['childId']))),
    ].filter((c): c is string => c !== null);
    if (erased.length > 0) {
      await tx.query(
        `UPDATE ${ctx.table('rm_audit_index')} SET reason = CASE WHEN reason IS NULL THEN NULL ELSE $2 END, summary = summary - 'reason'
          WHERE child_id = ANY($1::text[]) AND event_type <> 'ChildPersonalDataErased' AND ((reason IS NOT NULL AND reason <> $2) OR summary ? 'reason')`,
        [erased, ERASED_REASON],
      );
    }
  },
};
