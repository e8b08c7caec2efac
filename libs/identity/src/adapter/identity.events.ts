import type { Actor } from '@childledger/event-store';

/** Who the adapter's events name as actor. */
export const IDENTITY_ADAPTER_ACTOR: Actor = { userId: 'identity-adapter', role: 'system' };

/** Child events after which the adapter asks the national database. */
export const IDENTITY_TRIGGER_TYPES = ['ChildRegistered', 'ChildDetailsCorrected', 'ChildRecordsMerged'] as const;

/** Child events the adapter's small read models (review queue, children index) follow. */
export const IDENTITY_FOLLOWED_TYPES = [
  ...IDENTITY_TRIGGER_TYPES,
  'ResidenceChanged',
  'NationalIdLinked',
  'NoNationalRecordFound',
  'ChildRecordsMergeReverted',
  'ChildPersonalDataErased',
] as const;

/** The identity decisions the adapter appends to a child's stream. */
export const IDENTITY_DECISION_TYPES = ['NationalIdLinked', 'IdentityReviewRequested', 'NoNationalRecordFound'] as const;

export const identityAuditStreamId = (childId: string): string => `identity-audit-${childId}`;

export type RegistryOperation = 'search' | 'lookup' | 'verify';

/**
 * One call to the national population database, for the audit trail (stream `identity-audit-<childId>`).
 * Records which fields were sent (names of criteria, not values) and what came back as a decision,
 * never the resident record.
 */
export interface NationalRegistryQueried {
  type: 'NationalRegistryQueried';
  data: {
    childId: string;
    operation: RegistryOperation;
    /** The child event that caused the call. */
    trigger: { eventId: string; type: string };
    /** Names of the criteria or details sent. */
    fieldsSent: string[];
    /** verified / not_verified / found / not_found / candidates / rate_limited / unavailable_503 / timeout / circuit_open / rejected_400 / error */
    outcome: string;
    candidateCount?: number;
    durationMs: number;
    calledAt: string;
    /** What the adapter decided for the child with this call's answer (or `deferred` when it will try again). */
    decision: 'linked' | 'review' | 'no_match' | 'still_verified' | 'deferred' | 'refused';
  };
}
