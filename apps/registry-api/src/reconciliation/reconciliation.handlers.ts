import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { AdministrativeUnits, loadAdministrativeUnits } from '@childledger/admin-units';
import { ChildCommand, childDecider, ChildEvent, ChildState, childStreamId, RegisteredChildState, RegistryError } from '@childledger/domain';
import { EventStore, handleCommand, loadState } from '@childledger/event-store';
// Reconciliation lives in the registry API but reads the identity context's review queue and scores
// records with the matching engine (allowed for scope:registry in eslint.config.js).
import { adminUnitLookup, childRecordInput, ChildrenIndexStore, IndexedChild, ReviewItem, ReviewQueueStore } from '@childledger/identity';
import { InMemoryCandidateSource, MatchEngine, PersonPreparer, ResidentInput } from '@childledger/matching';
import { AuthenticatedUser, canActOn, EVENT_STORE, PG_POOL } from '@childledger/platform';
import { AccessPolicy } from '@childledger/registry';

export interface DuplicatePair {
  childId: string;
  communeCode: string;
  otherChildId: string;
  otherCommuneCode: string;
  decision: 'linked' | 'review';
  probability: number;
  explanation: string;
}

export interface CommandOutcome {
  childId: string;
  revision: number;
  events: { type: string }[];
}

/** How many active records of a jurisdiction one duplicate search compares at most. */
export const MAX_DUPLICATE_SCAN = 5000;

/**
 * Reconciliation by data officers: the review queue, accepting a candidate, rejecting all,
 * unlinking, finding and merging duplicates, reverting a merge. Every change is a child command
 * through the domain's decider, with the officer as actor, the request's correlation id and the
 * reason in the metadata; role is checked by the controller, jurisdiction here against the record.
 */
@Injectable()
export class ReconciliationHandlers {
  private readonly units: AdministrativeUnits = loadAdministrativeUnits();
  private readonly policy = new AccessPolicy(this.units);
  private readonly queue: ReviewQueueStore;
  private readonly children: ChildrenIndexStore;
  private readonly engine = new MatchEngine(undefined, adminUnitLookup(this.units));

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) pool: Pool,
  ) {
    this.queue = new ReviewQueueStore(pool);
    this.children = new ChildrenIndexStore(pool);
  }

  /** Open reviews of children in the user's jurisdiction. */
  async reviewQueue(user: AuthenticatedUser): Promise<ReviewItem[]> {
    const open = await this.queue.listOpen(undefined, 1000);
    return open.filter((item) => this.canSee(user, item.communeCode));
  }

  async acceptCandidate(user: AuthenticatedUser, childId: string, personalId: string, reason: string, correlationId: string): Promise<CommandOutcome> {
    const review = await this.openReview(childId);
    const candidate = review.candidates.find((c) => c.personalId === personalId);
    if (!candidate) throw new RegistryError('INVALID_INPUT', "personalId must be one of the review's candidates", 'personalId');
    const out = await this.run(user, childId, { type: 'LinkNationalId', data: { personalId, source: 'officer', matchScore: candidate.probability } }, reason, correlationId, { review: 'accepted' });
    await this.queue.resolve(childId, 'candidate accepted', undefined);
    return out;
  }

  async rejectAll(user: AuthenticatedUser, childId: string, reason: string, correlationId: string): Promise<CommandOutcome> {
    await this.openReview(childId);
    const out = await this.run(user, childId, { type: 'RecordNoNationalRecord', data: { source: 'officer' } }, reason, correlationId, { review: 'rejected_all' });
    await this.queue.resolve(childId, 'all candidates rejected', undefined);
    return out;
  }

  unlink(user: AuthenticatedUser, childId: string, reason: string, correlationId: string): Promise<CommandOutcome> {
    return this.run(user, childId, { type: 'UnlinkNationalId', data: { reason } }, reason, correlationId);
  }

  async merge(user: AuthenticatedUser, duplicateChildId: string, survivingChildId: string, reason: string, correlationId: string): Promise<CommandOutcome> {
    // Both records must be the officer's: the surviving one takes over the duplicate's history.
    const surviving = await this.load(survivingChildId);
    if (surviving.status !== 'active') throw new RegistryError(surviving.status === 'merged' ? 'RECORD_MERGED' : 'RECORD_ERASED', 'the surviving record is not active', 'survivingChildId');
    this.policy.authorize(user, surviving.residence);
    return this.run(user, duplicateChildId, { type: 'MergeChildRecords', data: { survivingChildId, reason } }, reason, correlationId);
  }

  revertMerge(user: AuthenticatedUser, duplicateChildId: string, reason: string, correlationId: string): Promise<CommandOutcome> {
    return this.run(user, duplicateChildId, { type: 'RevertMerge', data: { reason } }, reason, correlationId);
  }

  /**
   * Likely duplicates among the active records of the user's jurisdiction (the same child registered
   * twice, in two communes): records are blocked and scored against each other with the engine, one
   * as the "record", the other as the "resident". Only ids, communes, scores and field-level
   * explanations are returned.
   */
  async duplicates(user: AuthenticatedUser): Promise<DuplicatePair[]> {
    const indexed = (await this.children.active(MAX_DUPLICATE_SCAN * 4)).filter((c) => this.canSee(user, c.communeCode));
    const states: { child: IndexedChild; state: RegisteredChildState }[] = [];
    for (let i = 0; i < Math.min(indexed.length, MAX_DUPLICATE_SCAN); i += 20) {
      const chunk = indexed.slice(i, i + 20);
      const loaded = await Promise.all(chunk.map(async (child) => ({ child, state: await this.load(child.childId) })));
      for (const l of loaded) if (l.state.status === 'active' && l.state.fullName) states.push({ child: l.child, state: l.state });
    }
    const ids = states.map(({ state }) => state.nationalId ?? state.personalId);
    const residents: ResidentInput[] = states.map(({ state }, i) => ({
      // Records without a number get a placeholder that can never equal a real one.
      personalId: ids[i] ?? `x${i}`,
      fullName: state.fullName ?? '',
      sex: state.sex,
      dateOfBirth: state.dateOfBirth,
      residenceCommuneCode: this.units.currentCodesFor(state.residence.communeCode, { recordedOn: state.residence.effectiveFrom })[0],
      fatherFullName: state.fatherName,
      motherFullName: state.motherName,
    }));
    const preparer = new PersonPreparer(adminUnitLookup(this.units));
    const source = new InMemoryCandidateSource(residents, preparer);
    const pairs: DuplicatePair[] = [];
    states.forEach(({ child, state }, i) => {
      const record = { ...childRecordInput(state, residents[i]?.residenceCommuneCode ?? state.residence.communeCode), personalId: undefined as string | undefined };
      const hits = source.candidateHits(preparer.prepareRecord(record));
      for (const j of hits.keys()) {
        if (j <= i) continue;
        const other = states[j];
        if (!other) continue;
        // A number is compared only when both records state one.
        const withIds = ids[i] && ids[j] ? { ...record, personalId: ids[i] } : record;
        const decision = this.engine.decide(withIds, [residents[j] as ResidentInput]);
        if (decision.decision === 'no_match') continue;
        pairs.push({
          childId: child.childId,
          communeCode: child.communeCode,
          otherChildId: other.child.childId,
          otherCommuneCode: other.child.communeCode,
          decision: decision.decision,
          probability: Math.round(decision.probability * 10_000) / 10_000,
          explanation: decision.explanation,
        });
      }
    });
    return pairs.sort((a, b) => b.probability - a.probability);
  }

  private canSee(user: AuthenticatedUser, communeCode: string): boolean {
    if (user.role === 'admin') return true;
    return this.units.currentCodesFor(communeCode).some((c) => {
      const provinceCode = this.units.provinceOfCommune(c, '2025-07-01');
      return provinceCode !== undefined && canActOn(user, { provinceCode, communeCode: c });
    });
  }

  private async openReview(childId: string): Promise<ReviewItem> {
    const review = await this.queue.get(childId);
    if (!review || review.status !== 'open') throw new RegistryError('INVALID_INPUT', 'the child has no open identity review', 'childId');
    return review;
  }

  private async load(childId: string): Promise<RegisteredChildState> {
    const { state } = await loadState<ChildState, ChildEvent>(this.store, childStreamId(childId), childDecider);
    if (state.status === 'unregistered') throw new RegistryError('CHILD_NOT_FOUND', `no child ${childId} is registered`, 'childId');
    return state;
  }

  private async run(
    user: AuthenticatedUser,
    childId: string,
    command: Omit<ChildCommand, 'context'>,
    reason: string,
    correlationId: string,
    extra: Record<string, unknown> = {},
  ): Promise<CommandOutcome> {
    const state = await this.load(childId);
    const unit = this.policy.authorize(user, state.residence);
    const result = await handleCommand(this.store, childStreamId(childId), { ...command, context: { now: new Date(), units: this.units } } as ChildCommand, childDecider, {
      metadata: { actor: { userId: user.userId, role: user.role, ...(unit ? { unit } : {}) }, correlationId, reason, ...extra },
    });
    return { childId, revision: result.revision, events: result.events.map((e) => ({ type: e.type })) };
  }
}


