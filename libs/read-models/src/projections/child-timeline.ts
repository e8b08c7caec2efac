import type { RecordedEvent } from '@childledger/event-store';
import type { UnitResolver } from '../unit-resolver';
import { auditReason } from './audit.projection';
import { ChildDoc, ChildRow, evolveChild } from './children.projection';

/** A field a correction changed: what it was and what it became (null: absent). */
export interface TimelineChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One event of a child's stream as the child's page shows it: what, when, who (role, unit), why. */
export interface TimelineEntry {
  eventId: string;
  revision: number;
  type: string;
  recordedAt: string;
  /** The day the fact holds from (or until), when the event names one. */
  effectiveDate: string | null;
  actorUserId: string | null;
  actorRole: string | null;
  actorUnit: string | null;
  reason: string | null;
  /** For a correction: each changed field, from → to; empty otherwise. */
  changes: TimelineChange[];
  /** A group (special circumstance or risk) the event names. */
  group: number | null;
  communeCode: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function fieldsOf(c: ChildRow | undefined): Record<string, unknown> {
  if (!c) return {};
  return { ...(c.personal ?? {}), sex: c.sex };
}

/**
 * The child's stream as a timeline, oldest first. Each correction lists the fields it changed,
 * from the value before (folded with the projector's `evolveChild`) to the value after; personal
 * values are shown only while the child's data is readable (an erased event has none).
 */
export function childTimeline(events: readonly RecordedEvent[], units: UnitResolver): TimelineEntry[] {
  const doc: ChildDoc = { child: undefined, open: new Map(), queue: new Map() };
  const out: TimelineEntry[] = [];
  for (const e of events) {
    const before = fieldsOf(doc.child);
    evolveChild(doc, e, units);
    const after = fieldsOf(doc.child);
    const data = e.data as Record<string, unknown>;
    const actor = (e.metadata.actor ?? {}) as unknown as Record<string, unknown>;
    const changes: TimelineChange[] = [];
    if (e.type === 'ChildDetailsCorrected') {
      for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
        const from = before[field] ?? null;
        const to = after[field] ?? null;
        if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
      }
    }
    const residence = (data['residence'] ?? null) as Record<string, unknown> | null;
    out.push({
      eventId: e.id,
      revision: e.revision,
      type: e.type,
      recordedAt: e.recordedAt.toISOString(),
      effectiveDate: str(data['effectiveFrom']) ?? str(data['effectiveTo']) ?? str(residence?.['effectiveFrom']) ?? null,
      actorUserId: str(actor['userId']),
      actorRole: str(actor['role']),
      actorUnit: str(actor['unit']),
      reason: auditReason(e),
      changes,
      group: typeof data['group'] === 'number' ? data['group'] : null,
      communeCode: str(data['communeCode']) ?? str(residence?.['communeCode']) ?? null,
    });
  }
  return out;
}
