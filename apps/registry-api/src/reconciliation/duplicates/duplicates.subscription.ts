import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ClientBase, Pool } from 'pg';
import { REFORM_DATE, type AdministrativeUnits } from '@childledger/admin-units';
import { withTransaction } from '@childledger/database';
import { childDecider, ChildEvent, ChildState, childStreamId, isActiveRecord, RegisteredChildState } from '@childledger/domain';
import { EventStore, loadState, PgCheckpointStore, RecordedEvent, Subscription } from '@childledger/event-store';
import { adminUnitLookup, childRecordInput } from '@childledger/identity';
import { DEFAULT_BLOCKING_RULES, MatchEngine, ResidentInput } from '@childledger/matching';
import { EVENT_STORE, PG_POOL } from '@childledger/platform';
import { ADMINISTRATIVE_UNITS } from '@childledger/registry';
import { DUPLICATE_DECISION_PREFIX, NOT_DUPLICATES_EVENT, orderedPair } from './duplicate-decision';

export const DUPLICATES_SUBSCRIPTION_NAME = 'reconciliation-duplicates';

/** Child events after which a record's likely duplicates are looked for again. */
const REMATCH_TYPES = ['ChildRegistered', 'ChildDetailsCorrected', 'ResidenceChanged', 'NationalIdLinked', 'NationalIdUnlinked'] as const;
const FOLLOWED_TYPES = [...REMATCH_TYPES, 'ChildRecordsMerged', 'ChildRecordsMergeReverted', 'ChildPersonalDataErased', NOT_DUPLICATES_EVENT];
/** Candidates scored per record at most (a block this large is a very common name in one province). */
const MAX_CANDIDATES = 200;

interface Place {
  communeCode: string | undefined;
  provinceCode: string | undefined;
}

/**
 * Keeps the stored list of likely duplicates (`rm_duplicate_*`, migration 1795470000020) up to date
 * as records arrive: on a registration, a correction, a move or an identity change, the child is
 * blocked and scored with the matcher (libs/matching: the default blocking rules, the engine's
 * comparison and decision) against the active records of the same province, and its pairs are
 * replaced. A "not the same child" decision (ChildRecordsNotDuplicates) removes the pair for good; a
 * merge takes the duplicate out of the list and into the list of merges, a revert puts it back.
 * Each batch's effects and the checkpoint commit in one transaction, so a restart resumes exactly.
 */
@Injectable()
export class DuplicatesSubscription implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DuplicatesSubscription.name);
  private readonly engine: MatchEngine;
  private readonly checkpoints: PgCheckpointStore;
  private subscription?: Subscription;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ADMINISTRATIVE_UNITS) private readonly units: AdministrativeUnits,
  ) {
    this.engine = new MatchEngine(undefined, adminUnitLookup(units));
    this.checkpoints = new PgCheckpointStore(pool);
  }

  async onApplicationBootstrap(): Promise<void> {
    const after = await this.checkpoints.load(DUPLICATES_SUBSCRIPTION_NAME);
    this.subscription = this.store.subscribe({
      name: DUPLICATES_SUBSCRIPTION_NAME,
      after,
      filter: { eventTypes: FOLLOWED_TYPES, streamPrefixes: ['child-', DUPLICATE_DECISION_PREFIX] },
      batchSize: 50,
      handler: async (events) => {
        const last = events[events.length - 1];
        if (!last) return;
        await withTransaction(this.pool, async (tx) => {
          for (const e of events) await this.apply(e, tx);
          await this.checkpoints.save(DUPLICATES_SUBSCRIPTION_NAME, last.position, tx);
        });
      },
    });
    this.subscription.done.catch((err: unknown) => this.log.error(`the duplicates subscription stopped: ${(err as Error).name}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  private async apply(e: RecordedEvent, tx: ClientBase): Promise<void> {
    const data = e.data as Record<string, unknown>;
    const childId = String(data['childId'] ?? '');
    if (e.type === NOT_DUPLICATES_EVENT) {
      const [a, b] = orderedPair(childId, String(data['otherChildId'] ?? ''));
      await tx.query(`INSERT INTO rm_duplicate_dismissals (child_id, other_child_id, event_id, decided_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
        a,
        b,
        e.id,
        e.recordedAt,
      ]);
      await tx.query(`DELETE FROM rm_duplicate_pairs WHERE child_id = $1 AND other_child_id = $2`, [a, b]);
      return;
    }
    switch (e.type) {
      case 'ChildRecordsMerged': {
        const survivor = String(data['survivingChildId'] ?? '');
        const [own, theirs] = await Promise.all([this.placeOfStored(childId, tx), this.placeOfStored(survivor, tx)]);
        await tx.query(
          `INSERT INTO rm_duplicate_merges (child_id, surviving_child_id, merged_at, event_id, commune_code, province_code, surviving_commune_code, surviving_province_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (child_id) DO UPDATE SET surviving_child_id = EXCLUDED.surviving_child_id, merged_at = EXCLUDED.merged_at, event_id = EXCLUDED.event_id,
             commune_code = EXCLUDED.commune_code, province_code = EXCLUDED.province_code,
             surviving_commune_code = EXCLUDED.surviving_commune_code, surviving_province_code = EXCLUDED.surviving_province_code`,
          [childId, survivor, e.recordedAt, e.id, own.communeCode ?? null, own.provinceCode ?? null, theirs.communeCode ?? null, theirs.provinceCode ?? null],
        );
        await this.remove(childId, tx);
        return;
      }
      case 'ChildPersonalDataErased':
        await tx.query(`DELETE FROM rm_duplicate_merges WHERE child_id = $1 OR surviving_child_id = $1`, [childId]);
        await this.remove(childId, tx);
        return;
      case 'ChildRecordsMergeReverted':
        await tx.query(`DELETE FROM rm_duplicate_merges WHERE child_id = $1`, [childId]);
        await this.rematch(childId, e.recordedAt, tx);
        return;
      default:
        await this.rematch(childId, e.recordedAt, tx);
    }
  }

  private async placeOfStored(childId: string, tx: ClientBase): Promise<Place> {
    const res = await tx.query<{ commune_code: string | null; province_code: string | null }>(
      `SELECT commune_code, province_code FROM rm_duplicate_people WHERE child_id = $1`,
      [childId],
    );
    const row = res.rows[0];
    if (row) return { communeCode: row.commune_code ?? undefined, provinceCode: row.province_code ?? undefined };
    const state = await this.load(childId);
    return state && state.status !== 'erased' && 'residence' in state
      ? this.placeOf(state as RegisteredChildState)
      : { communeCode: undefined, provinceCode: undefined };
  }

  private placeOf(state: RegisteredChildState): Place {
    const communeCode = this.units.currentCodesFor(state.residence.communeCode, { recordedOn: state.residence.effectiveFrom })[0];
    return { communeCode, provinceCode: communeCode ? this.units.provinceOfCommune(communeCode, REFORM_DATE) : undefined };
  }

  private async remove(childId: string, tx: ClientBase): Promise<void> {
    await tx.query(`DELETE FROM rm_duplicate_people WHERE child_id = $1`, [childId]);
    await tx.query(`DELETE FROM rm_duplicate_pairs WHERE child_id = $1 OR other_child_id = $1`, [childId]);
  }

  /** The child's current record, blocked and scored against the stored records of its province; its pairs replaced. */
  private async rematch(childId: string, at: Date, tx: ClientBase): Promise<void> {
    const state = await this.load(childId);
    if (!state || !isActiveRecord(state) || !state.fullName) return this.remove(childId, tx);
    const place = this.placeOf(state);
    const number = state.nationalId ?? state.personalId;
    const resident: ResidentInput = {
      // Records without a number get a placeholder that can never equal a real one.
      personalId: number ?? `x-${childId}`,
      fullName: state.fullName,
      sex: state.sex,
      dateOfBirth: state.dateOfBirth,
      residenceCommuneCode: place.communeCode,
      fatherFullName: state.fatherName,
      motherFullName: state.motherName,
    };
    const record = { ...childRecordInput(state, place.communeCode ?? state.residence.communeCode), personalId: number };
    const preparedResident = this.engine.preparer.prepareResident(resident);
    // The record side is compared without a number (a number is compared only when both sides state one: below).
    const preparedRecord = this.engine.preparer.prepareRecord({ ...record, personalId: undefined });
    const residentKeys = [...new Set(DEFAULT_BLOCKING_RULES.flatMap((r) => r.residentKeys(preparedResident)))];
    const recordKeys = [
      ...new Set(
        DEFAULT_BLOCKING_RULES.flatMap((r) => [...r.recordKeys(preparedRecord), ...(number ? r.recordKeys(this.engine.preparer.prepareRecord(record)) : [])]),
      ),
    ];
    await tx.query(
      `INSERT INTO rm_duplicate_people (child_id, province_code, commune_code, resident, record, resident_keys) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (child_id) DO UPDATE SET province_code = EXCLUDED.province_code, commune_code = EXCLUDED.commune_code, resident = EXCLUDED.resident,
         record = EXCLUDED.record, resident_keys = EXCLUDED.resident_keys`,
      [
        childId,
        place.provinceCode ?? null,
        place.communeCode ?? null,
        JSON.stringify(resident),
        JSON.stringify({ hasNumber: number !== undefined }),
        residentKeys,
      ],
    );
    await tx.query(`DELETE FROM rm_duplicate_pairs WHERE child_id = $1 OR other_child_id = $1`, [childId]);
    if (!place.provinceCode || recordKeys.length === 0) return;
    const candidates = await tx.query<{
      child_id: string;
      commune_code: string | null;
      province_code: string | null;
      resident: ResidentInput;
      record: { hasNumber: boolean };
    }>(
      `SELECT p.child_id, p.commune_code, p.province_code, p.resident, p.record FROM rm_duplicate_people p
        WHERE p.province_code = $1 AND p.resident_keys && $2 AND p.child_id <> $3
          AND NOT EXISTS (SELECT 1 FROM rm_duplicate_dismissals d WHERE (d.child_id, d.other_child_id) = (LEAST(p.child_id, $3), GREATEST(p.child_id, $3)))
        LIMIT ${MAX_CANDIDATES}`,
      [place.provinceCode, recordKeys, childId],
    );
    for (const c of candidates.rows) {
      const withNumber = number !== undefined && c.record.hasNumber ? record : { ...record, personalId: undefined };
      const decision = this.engine.decide(withNumber, [c.resident]);
      if (decision.decision === 'no_match') continue;
      const fields = decision.candidates[0]?.fields ?? [];
      const mine = { childId, ...place };
      const theirs = { childId: c.child_id, communeCode: c.commune_code ?? undefined, provinceCode: c.province_code ?? undefined };
      const [first, second] = childId < c.child_id ? [mine, theirs] : [theirs, mine];
      await tx.query(
        `INSERT INTO rm_duplicate_pairs (child_id, other_child_id, probability, decision, fields, commune_code, province_code, other_commune_code, other_province_code, found_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (child_id, other_child_id) DO UPDATE SET probability = EXCLUDED.probability, decision = EXCLUDED.decision, fields = EXCLUDED.fields,
           commune_code = EXCLUDED.commune_code, province_code = EXCLUDED.province_code, other_commune_code = EXCLUDED.other_commune_code,
           other_province_code = EXCLUDED.other_province_code`,
        [
          first.childId,
          second.childId,
          Math.round(decision.probability * 10_000) / 10_000,
          decision.decision,
          JSON.stringify(fields),
          first.communeCode ?? null,
          first.provinceCode ?? null,
          second.communeCode ?? null,
          second.provinceCode ?? null,
          at,
        ],
      );
    }
  }

  private async load(childId: string): Promise<ChildState> {
    try {
      return (await loadState<ChildState, ChildEvent>(this.store, childStreamId(childId), childDecider)).state;
    } catch (err) {
      this.log.warn(`a child record could not be folded for duplicates: ${(err as Error).name}`);
      return undefined as unknown as ChildState;
    }
  }
}
