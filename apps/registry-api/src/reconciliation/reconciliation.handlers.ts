import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Pool } from 'pg';
import type { AdministrativeUnits } from '@childledger/admin-units';
import { childDecider, ChildEvent, ChildState, childStreamId, isActiveRecord, RegisteredChildState } from '@childledger/domain';
import { EventStore, loadState } from '@childledger/event-store';
// Reconciliation lives in the registry API but reads the identity context's review queue and scores
// records with the matching engine (allowed for scope:registry in eslint.config.js).
import { adminUnitLookup, childRecordInput, ChildrenIndexStore, IndexedChild } from '@childledger/identity';
import { InMemoryCandidateSource, MatchEngine, PersonPreparer, ResidentInput } from '@childledger/matching';
import { AuthenticatedUser, EVENT_STORE, PG_POOL } from '@childledger/platform';
import {
  ADMINISTRATIVE_UNITS,
  AccessPolicy,
  CommandResponseBody,
  DomainContextFactory,
  MergeChildRecordsCommand,
  RevertMergeCommand,
  UnlinkNationalIdCommand,
} from '@childledger/registry';
import { AuthenticatedRequest, CommandResponder } from '../http/command-responder';

export interface DuplicatePair {
  childId: string;
  communeCode: string;
  otherChildId: string;
  otherCommuneCode: string;
  decision: 'linked' | 'review';
  probability: number;
  explanation: string;
}

/** What a reconciliation command answers: the registry's command response (id, streamId, revision, events), ETag set. */
export type CommandOutcome = CommandResponseBody;

/** The HTTP exchange a command runs in: If-Match and Idempotency-Key are read from it, status and ETag written to it. */
export interface CommandExchange {
  req: AuthenticatedRequest;
  res: Response;
}

/** How many active records of a jurisdiction one duplicate search compares at most. */
export const MAX_DUPLICATE_SCAN = 5000;

/**
 * Reconciliation by data officers: the review queue, accepting a candidate, rejecting all,
 * unlinking, finding and merging duplicates, reverting a merge. Every change is a registry command
 * sent through the CommandResponder and the bus, so it takes the one write path of every other
 * command (role, jurisdiction on the freshly folded state, decide, append with the expected
 * revision, If-Match, Idempotency-Key, metadata with the officer as actor, the correlation id and
 * the reason). Reads of the queue and the duplicates are filtered by the same AccessPolicy.
 */
@Injectable()
export class ReconciliationHandlers {
  private readonly children: ChildrenIndexStore;
  private readonly engine: MatchEngine;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) pool: Pool,
    @Inject(ADMINISTRATIVE_UNITS) private readonly units: AdministrativeUnits,
    private readonly policy: AccessPolicy,
    private readonly context: DomainContextFactory,
    private readonly responder: CommandResponder,
  ) {
    this.children = new ChildrenIndexStore(pool);
    this.engine = new MatchEngine(undefined, adminUnitLookup(units));
  }

  // Identity reviews (queue, accept, reject, no national record): reviews/identity-reviews.service.ts.

  unlink(x: CommandExchange, childId: string, reason: string): Promise<CommandOutcome> {
    return this.responder.run(x.req, x.res, 200, (request) => new UnlinkNationalIdCommand(childId, { reason }, request, this.context.create()));
  }

  /** Both records must be the officer's (the merge handler checks the surviving one): it takes over the duplicate's history. */
  merge(x: CommandExchange, duplicateChildId: string, survivingChildId: string, reason: string): Promise<CommandOutcome> {
    return this.responder.run(
      x.req,
      x.res,
      200,
      (request) => new MergeChildRecordsCommand(duplicateChildId, { survivingChildId, reason }, request, this.context.create()),
    );
  }

  revertMerge(x: CommandExchange, duplicateChildId: string, reason: string): Promise<CommandOutcome> {
    return this.responder.run(x.req, x.res, 200, (request) => new RevertMergeCommand(duplicateChildId, { reason }, request, this.context.create()));
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

      for (const l of loaded) if (l.state && isActiveRecord(l.state) && l.state.fullName) states.push({ child: l.child, state: l.state });
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
      const record = {
        ...childRecordInput(state, residents[i]?.residenceCommuneCode ?? state.residence.communeCode),
        personalId: undefined as string | undefined,
      };
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
    return this.policy.mayActOnCommune(user, communeCode);
  }

  private async load(childId: string): Promise<ChildState> {
    return (await loadState<ChildState, ChildEvent>(this.store, childStreamId(childId), childDecider)).state;
  }
}
