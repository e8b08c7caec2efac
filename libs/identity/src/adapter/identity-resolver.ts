import { randomUUID } from 'node:crypto';
import type { AdministrativeUnits } from '@childledger/admin-units';
import { ChildCommand, childDecider, ChildEvent, ChildState, childStreamId, RegisteredChildState, RegistryError } from '@childledger/domain';
import { EventMetadata, EventStore, handleCommand, IdempotencyConflictError, loadState, RecordedEvent } from '@childledger/event-store';
import type { MatchDecision, MatchEngine, ResidentInput } from '@childledger/matching';
import { childRecordInput } from '../matching/child-record';
import { currentPlace } from '../matching/admin-units.lookup';
import { NationalRegistryCandidateSource } from '../matching/national-registry-candidate.source';
import { AuditedNationalRegistry } from '../national-registry/audited-national-registry';
import type { NationalPopulationRegistry, RegistryCallContext } from '../national-registry/national-population-registry.port';
import { NationalRegistryRejectedError } from '../national-registry/national-registry.errors';
import type { ReviewQueueStore, ReviewResident } from '../reconciliation/review-queue.store';
import { deterministicUuid } from './deterministic-id';
import { IDENTITY_ADAPTER_ACTOR, IDENTITY_DECISION_TYPES, identityAuditStreamId, NationalRegistryQueried } from './identity.events';

export type ResolutionOutcome =
  | { kind: 'linked' | 'review' | 'no_match' | 'still_verified'; childId: string; method: 'verification' | 'search' }
  | { kind: 'skipped'; childId?: string; why: string }
  | { kind: 'already_processed'; childId: string }
  | { kind: 'refused'; childId: string; code: string };

export interface IdentityResolverDeps {
  store: EventStore;
  registry: NationalPopulationRegistry;
  engine: MatchEngine;
  units: AdministrativeUnits;
  reviewQueue: ReviewQueueStore;
  clock?: () => Date;
}

const IDENTITY_FIELDS = new Set(['fullName', 'dateOfBirth', 'sex', 'personalId', 'motherName', 'fatherName']);

interface Decided {
  kind: 'linked' | 'review' | 'no_match' | 'still_verified';
  method: 'verification' | 'search';
  command?: ChildCommand;
  match?: Record<string, unknown>;
  review?: { reason: string; decision?: MatchDecision; residents?: ReadonlyMap<string, ResidentInput> };
}

/**
 * Decides one child event: verify the stated number, or search; score the candidates with the
 * engine; append NationalIdLinked / IdentityReviewRequested / NoNationalRecordFound through the
 * child decider, with an id derived from the triggering event (so doing it twice appends nothing
 * twice); record every call to the national database in `identity-audit-<childId>`.
 *
 * Transient failures of the national database (429 beyond what retries absorbed, 5xx, timeouts,
 * open circuit) are thrown: the caller waits and tries the same event again, in order.
 */
export class IdentityResolver {
  private readonly clock: () => Date;

  constructor(private readonly deps: IdentityResolverDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async process(event: RecordedEvent): Promise<ResolutionOutcome> {
    const data = event.data as Record<string, unknown> & { personal?: unknown; childId?: string; survivingChildId?: string; correctedFields?: string[] };
    // Erased (crypto-shredded) personal data reads as null: nothing to match on.
    if (event.metadata['personalDataErased'] === true || data.personal === null) return { kind: 'skipped', childId: data.childId, why: 'personal data erased' };
    if (event.type === 'ChildDetailsCorrected' && !(data.correctedFields ?? []).some((f) => IDENTITY_FIELDS.has(f))) {
      return { kind: 'skipped', childId: data.childId, why: 'no identifying field corrected' };
    }
    const childId = event.type === 'ChildRecordsMerged' ? data.survivingChildId : data.childId;
    if (!childId) return { kind: 'skipped', why: 'event names no child' };
    const streamId = childStreamId(childId);
    const { state, events } = await loadState<ChildState, ChildEvent>(this.deps.store, streamId, childDecider);
    if (events.some((e) => isDecisionOf(e, event.id))) return { kind: 'already_processed', childId };
    if (state.status !== 'active') return { kind: 'skipped', childId, why: `record ${state.status}` };
    if (state.fullName === undefined || state.dateOfBirth === undefined) return { kind: 'skipped', childId, why: 'personal data unreadable' };
    if (state.nationalId !== undefined && event.type !== 'ChildDetailsCorrected') return { kind: 'skipped', childId, why: 'already linked' };

    const correlationId = typeof event.metadata.correlationId === 'string' ? event.metadata.correlationId : event.id;
    const context: RegistryCallContext = { childId, correlationId };
    const registry = new AuditedNationalRegistry(this.deps.registry, this.clock);
    let decided: Decided;
    try {
      decided = await this.decide(state, registry, context);
    } catch (err) {
      if (err instanceof NationalRegistryRejectedError) {
        // The remote service refused the query itself: a person must look at this record.
        decided = { kind: 'review', method: 'search', review: { reason: `the national database refused the look-up (HTTP ${err.status})` } };
      } else {
        await this.audit(childId, event, registry, 'deferred', correlationId);
        throw err;
      }
    }

    const metadata: EventMetadata = {
      actor: IDENTITY_ADAPTER_ACTOR,
      correlationId,
      causationId: event.id,
      ...(decided.match ? { match: decided.match } : {}),
    };
    if (decided.kind === 'still_verified') {
      await this.audit(childId, event, registry, 'still_verified', correlationId);
      return { kind: 'still_verified', childId, method: decided.method };
    }
    let command = decided.command ?? this.reviewCommand(decided.review?.reason ?? 'review requested', decided.review?.decision);
    let kind = decided.kind;
    if (kind === 'linked' && refusesPersonalId(command, state)) {
      // The best candidate's number contradicts the recorded birth year or sex: an officer decides.
      kind = 'review';
      command = this.reviewCommand("the best candidate's number does not fit the recorded date of birth or sex", decided.review?.decision);
    }
    // The calls are audited before the decision is appended: a crash in between leaves the audit
    // (the calls did happen) without a decision, and the redelivered trigger decides again, auditing
    // its own calls. The other way round, a crash would leave a decision whose calls nobody audited.
    await this.audit(childId, event, registry, kind, correlationId);
    try {
      if (kind === 'review') await this.openReview(state, event, decided.review?.decision, command, decided.review?.residents);
      await this.append(streamId, command, metadata, event.id);
    } catch (err) {
      if (err instanceof RegistryError || err instanceof IdempotencyConflictError) {
        // Another handler of the same event (a redelivery, a second replica) won the race, or the
        // record changed meanwhile: the decision that stands is the one in the child's stream; this
        // one is dropped. Its calls are audited above, with the decision this handler had reached.
        if (await this.alreadyDecided(streamId, event.id)) return { kind: 'already_processed', childId };
        if (kind === 'review') await this.deps.reviewQueue.removeRequest(childId, this.reviewEventId(event)).catch(() => undefined);
        return { kind: 'refused', childId, code: err instanceof RegistryError ? err.code : 'IDEMPOTENCY_CONFLICT' };
      }
      throw err;
    }
    return { kind, childId, method: decided.method };
  }

  private async decide(child: RegisteredChildState, registry: NationalPopulationRegistry, context: RegistryCallContext): Promise<Decided> {
    const details = { fullName: child.fullName, dateOfBirth: child.dateOfBirth, sex: child.sex };
    if (child.nationalId !== undefined) {
      // Details were corrected on a linked record: does the linked number still fit them?
      if (await registry.verify(child.nationalId, details, context)) return { kind: 'still_verified', method: 'verification' };
      return { kind: 'review', method: 'verification', review: { reason: 'details were corrected and the linked number no longer verifies against them' } };
    }
    if (child.personalId !== undefined && (await registry.verify(child.personalId, details, context))) {
      return {
        kind: 'linked',
        method: 'verification',
        command: this.command({ type: 'LinkNationalId', data: { personalId: child.personalId, source: 'identity_adapter', matchScore: 1 } }),
        match: {
          method: 'verification',
          score: 1,
          explanation: 'the stated personal ID was verified by the national database against full name, date of birth and sex',
        },
      };
    }
    const place = currentPlace(this.deps.units, child.residence.communeCode, child.residence.effectiveFrom);
    const record = childRecordInput(child, place.communes[0] ?? child.residence.communeCode);
    const source = new NationalRegistryCandidateSource(registry, context, place);
    // The residents found are kept with a review, so the officer sees what was compared.
    const found = new Map<string, ResidentInput>();
    const decision = await this.deps.engine.match(record, {
      findCandidates: async (r) => {
        const residents = await source.findCandidates(r);
        for (const resident of residents) found.set(resident.personalId, resident);
        return residents;
      },
    });
    const match = {
      method: child.personalId !== undefined ? 'search_after_failed_verification' : 'search',
      score: round4(decision.probability),
      weight: decision.score,
      candidateCount: decision.candidates.length,
      explanation: decision.explanation,
    };
    if (decision.decision === 'linked' && decision.personalId) {
      return {
        kind: 'linked',
        method: 'search',
        command: this.command({
          type: 'LinkNationalId',
          data: { personalId: decision.personalId, source: 'identity_adapter', matchScore: round4(decision.probability) },
        }),
        match,
        review: { reason: 'best candidate', decision, residents: found },
      };
    }
    if (decision.decision === 'review') {
      const reason = `${decision.candidates.length} candidate(s); best match probability ${decision.probability.toFixed(3)} is below the link threshold or another candidate is close`;
      return { kind: 'review', method: 'search', match, review: { reason, decision, residents: found } };
    }
    return { kind: 'no_match', method: 'search', match, command: this.command({ type: 'RecordNoNationalRecord', data: { source: 'identity_adapter' } }) };
  }

  private reviewCommand(reason: string, decision?: MatchDecision): ChildCommand {
    return this.command({ type: 'RequestIdentityReview', data: { source: 'identity_adapter', reason, candidateCount: decision?.candidates.length ?? 0 } });
  }

  private command(c: Omit<ChildCommand, 'context'>): ChildCommand {
    return { ...c, context: { now: this.clock(), units: this.deps.units } } as ChildCommand;
  }

  private async append(streamId: string, command: ChildCommand, metadata: EventMetadata, triggerId: string): Promise<void> {
    await handleCommand(this.deps.store, streamId, command, childDecider, {
      metadata,
      eventId: (i) => deterministicUuid(`identity-adapter:${triggerId}:${command.type}:${i}`),
    });
  }

  /** Written before the event, with the event's (deterministic) id, so a crash in between loses no row. */
  private async openReview(
    child: RegisteredChildState,
    trigger: RecordedEvent,
    decision: MatchDecision | undefined,
    command: ChildCommand,
    residents: ReadonlyMap<string, ResidentInput> = new Map(),
  ): Promise<void> {
    await this.deps.reviewQueue.open({
      childId: child.childId,
      communeCode: child.residence.communeCode,
      reason: command.type === 'RequestIdentityReview' ? command.data.reason : 'review requested',
      candidates: (decision?.candidates ?? []).map((c) => {
        const resident = residents.get(c.personalId);
        return {
          personalId: c.personalId,
          probability: round4(c.probability),
          weight: c.weight,
          fields: c.fields,
          ...(resident ? { resident: reviewResident(resident) } : {}),
        };
      }),
      explanation: decision?.explanation ?? '',
      requestedEventId: this.reviewEventId(trigger),
      requestedAt: this.clock().toISOString(),
    });
  }

  private reviewEventId(trigger: RecordedEvent): string {
    return deterministicUuid(`identity-adapter:${trigger.id}:RequestIdentityReview:0`);
  }

  private async alreadyDecided(streamId: string, triggerId: string): Promise<boolean> {
    return (await this.deps.store.readStream(streamId)).some((e) => isDecisionOf(e, triggerId));
  }

  private async audit(
    childId: string,
    trigger: RecordedEvent,
    registry: AuditedNationalRegistry,
    decision: NationalRegistryQueried['data']['decision'],
    correlationId: string,
  ): Promise<void> {
    if (registry.calls.length === 0) return;
    const events = registry.calls.map((call) => ({
      id: randomUUID(),
      type: 'NationalRegistryQueried',
      data: { childId, ...call, trigger: { eventId: trigger.id, type: trigger.type }, decision } satisfies NationalRegistryQueried['data'],
      metadata: { actor: IDENTITY_ADAPTER_ACTOR, correlationId, causationId: trigger.id },
    }));
    await this.deps.store.append(identityAuditStreamId(childId), events);
  }
}

/** Whether the child decider refuses this link on `state` because the number contradicts the record (pure: nothing is written). */
function refusesPersonalId(command: ChildCommand, state: ChildState): boolean {
  try {
    childDecider.decide(command, state);
    return false;
  } catch (err) {
    return err instanceof RegistryError && err.code === 'INVALID_PERSONAL_ID';
  }
}

function isDecisionOf(e: RecordedEvent, triggerId: string): boolean {
  return (
    e.metadata.causationId === triggerId &&
    e.metadata.actor?.userId === IDENTITY_ADAPTER_ACTOR.userId &&
    (IDENTITY_DECISION_TYPES as readonly string[]).includes(e.type)
  );
}

/** The compared fields only: no parents' numbers, no birth-registration place. */
function reviewResident(r: ResidentInput): ReviewResident {
  return {
    fullName: r.fullName,
    ...(r.sex ? { sex: r.sex } : {}),
    ...(r.dateOfBirth ? { dateOfBirth: r.dateOfBirth } : {}),
    ...(r.residenceCommuneCode ? { residenceCommuneCode: r.residenceCommuneCode } : {}),
    ...(r.fatherFullName ? { fatherFullName: r.fatherFullName } : {}),
    ...(r.motherFullName ? { motherFullName: r.motherFullName } : {}),
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
