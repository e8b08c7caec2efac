import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AdministrativeUnits } from '@childledger/admin-units';
import { childDecider, ChildEvent, ChildState, childStreamId, RegistryError } from '@childledger/domain';
import { EventStore, loadState } from '@childledger/event-store';
import type { ReviewCandidate, ReviewItem, ReviewResident } from '@childledger/identity';
import type { FieldExplanation } from '@childledger/matching';
import { AuthenticatedUser, EVENT_STORE, PG_POOL } from '@childledger/platform';
import { ADMINISTRATIVE_UNITS, AccessPolicy, DomainContextFactory, LinkNationalIdCommand, RecordNoNationalRecordCommand } from '@childledger/registry';
import { CommandResponseBody } from '@childledger/registry';
import { AuthenticatedRequest, CommandResponder } from '../../http/command-responder';
import type { Response } from 'express';
import { AGREEMENTS, IdentityReviewDto, IdentityReviewQueueDto, ReviewFieldDto, ReviewPersonDto } from './identity-reviews.dto';

export const DEFAULT_REVIEW_PAGE = 20;
export const MAX_REVIEW_PAGE = 100;

/** Levels that mean "identical" (the rest of the agreeing levels are close, not the same). */
const IDENTICAL_LEVELS = new Set(['exact', 'exact_without_diacritics', 'same', 'same_commune']);

/** agree / partial / disagree / missing, from the matcher's level and weight (the console only shows it). */
export function agreementOf(f: Pick<FieldExplanation, 'level' | 'agrees' | 'weight'>): (typeof AGREEMENTS)[number] {
  if (f.agrees === null || f.level === 'missing') return 'missing';
  if (f.agrees && IDENTICAL_LEVELS.has(f.level)) return 'agree';
  if (f.agrees || f.weight > 0) return 'partial';
  return 'disagree';
}

interface QueueRow {
  child_id: string;
  commune_code: string;
  recorded_on: string;
  requested_key: string;
  requested_at: Date;
  candidate_count: number;
  best: number | null;
}

interface Exchange {
  req: AuthenticatedRequest;
  res: Response;
}

/**
 * The identity-review half of the reconciliation workbench: the officer's queue, paged by keyset and
 * filtered in SQL by the commune the child lives in now (identity_children, which the adapter's
 * subscription moves with every ResidenceChanged), one review with the record and each candidate
 * field by field, and the three decisions through the command bus.
 */
@Injectable()
export class IdentityReviewsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ADMINISTRATIVE_UNITS) private readonly units: AdministrativeUnits,
    private readonly policy: AccessPolicy,
    private readonly context: DomainContextFactory,
    private readonly responder: CommandResponder,
  ) {}

  /**
   * The recorded commune codes that stand for a unit today: its code and the old codes that went into
   * it. undefined: every commune (an admin with no commune filter).
   */
  recordedCodesFor(user: AuthenticatedUser, commune: string | undefined): string[] | undefined {
    const today = new Date();
    let communes: string[] | undefined;
    if (commune !== undefined) {
      if (!this.units.isCommuneValidOn(commune, today)) throw new RegistryError('INVALID_INPUT', 'commune must be a commune code in force today', 'commune');
      if (!this.policy.mayActOnCommune(user, commune)) throw new RegistryError('CHILD_NOT_FOUND', 'commune is outside your jurisdiction', 'commune');
      communes = [commune];
    } else if (user.role === 'admin') {
      return undefined;
    } else if (user.communes.length > 0) {
      communes = user.communes;
    } else {
      const provinces = new Set(user.provinces);
      communes = this.units
        .unitsInForceOn(today)
        .communes.filter((c) => provinces.has(c.provinceCode))
        .map((c) => c.code);
    }
    return [...new Set(communes.flatMap((c) => [c, ...this.units.formerCodesOf(c)]))];
  }

  async queue(user: AuthenticatedUser, q: { commune?: string; limit?: string; after?: string }): Promise<IdentityReviewQueueDto> {
    const limit = q.limit === undefined ? DEFAULT_REVIEW_PAGE : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REVIEW_PAGE)
      throw new RegistryError('INVALID_INPUT', `limit must be an integer from 1 to ${MAX_REVIEW_PAGE}`, 'limit');
    const cursor = q.after === undefined ? undefined : decodeReviewCursor(q.after);
    const codes = this.recordedCodesFor(user, q.commune);
    const values: unknown[] = [];
    const add = (v: unknown) => `$${values.push(v)}`;
    const where = [`q.status = 'open'`, `c.status = 'active'`];
    if (codes) where.push(`c.commune_code = ANY(${add(codes)}::text[])`);
    if (cursor) where.push(`(q.requested_at, q.child_id) > (${add(cursor.requestedAt)}::timestamptz, ${add(cursor.childId)})`);
    const res = await this.pool.query<QueueRow>(
      `SELECT q.child_id, c.commune_code, to_char(c.recorded_on, 'YYYY-MM-DD') AS recorded_on, q.requested_at,
              to_char(q.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS requested_key,
              jsonb_array_length(q.candidates) AS candidate_count,
              (SELECT max((x->>'probability')::float8) FROM jsonb_array_elements(q.candidates) x) AS best
         FROM identity_review_queue q JOIN identity_children c ON c.child_id = q.child_id
        WHERE ${where.join(' AND ')}
        ORDER BY q.requested_at, q.child_id
        LIMIT ${add(limit + 1)}`,
      values,
    );
    const more = res.rows.length > limit;
    const rows = res.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return {
      // The SQL filter reads old codes through their successors; the policy has the last word on each row.
      items: rows
        .map((r) => ({ row: r, today: this.communeFor(user, r.commune_code, r.recorded_on, q.commune) }))
        .filter((r): r is { row: QueueRow; today: string } => r.today !== undefined)
        .map(({ row, today }) => ({
          childId: row.child_id,
          communeCode: today,
          communeName: this.communeName(today),
          requestedAt: row.requested_at.toISOString(),
          candidateCount: Number(row.candidate_count),
          bestProbability: row.best === null ? null : Number(row.best),
        })),
      next: more && last ? encodeReviewCursor(last.requested_key, last.child_id) : null,
    };
  }

  /** The review of one child with the record and each candidate side by side. Not in the jurisdiction, not open: 404. */
  async review(user: AuthenticatedUser, childId: string): Promise<IdentityReviewDto> {
    const item = await this.openReview(user, childId);
    const { state, revision } = await loadState<ChildState, ChildEvent>(this.store, childStreamId(childId), childDecider);
    if (state.status === 'unregistered') throw notFound();
    const today = this.currentCommune(state.residence.communeCode, state.residence.effectiveFrom);
    const record: ReviewPersonDto = compact({
      fullName: state.fullName,
      dateOfBirth: state.dateOfBirth,
      sex: state.sex,
      personalId: state.personalId,
      communeCode: today,
      communeName: this.communeName(today) ?? undefined,
      fatherName: state.fatherName,
      motherName: state.motherName,
    });
    const candidates = [...item.candidates].sort((a, b) => b.probability - a.probability);
    return {
      childId,
      revision,
      communeCode: today,
      communeName: this.communeName(today),
      requestedAt: item.requestedAt,
      reason: item.reason,
      probability: candidates[0]?.probability ?? null,
      record,
      candidates: candidates.map((c) => ({
        personalId: c.personalId,
        probability: c.probability,
        weight: round2(c.weight),
        person: c.resident ? this.person(c.personalId, c.resident) : null,
        fields: c.fields.map(fieldOf),
      })),
    };
  }

  async accept(x: Exchange, childId: string, personalId: string, reason: string): Promise<CommandResponseBody> {
    const review = await this.openReview(x.req.user, childId);
    const candidate = review.candidates.find((c: ReviewCandidate) => c.personalId === personalId);
    if (!candidate) throw new RegistryError('INVALID_INPUT', "personalId must be one of the review's candidates", 'personalId');
    return this.responder.run(
      x.req,
      x.res,
      200,
      (request) =>
        new LinkNationalIdCommand(
          childId,
          { personalId, source: 'officer', matchScore: candidate.probability },
          { ...request, metadata: { ...request.metadata, reason } },
          this.context.create(),
        ),
      { metadata: { review: 'accepted' }, afterCommit: () => this.resolve(childId, 'candidate accepted') },
    );
  }

  /** None of the candidates is this child (review: rejected_all) or the child has no national record (review: no_national_record): both are the finding NoNationalRecordFound, told apart by the review's outcome and the reason. */
  async noneOfThem(x: Exchange, childId: string, outcome: 'rejected_all' | 'no_national_record', reason: string): Promise<CommandResponseBody> {
    await this.openReview(x.req.user, childId);
    return this.responder.run(
      x.req,
      x.res,
      200,
      (request) =>
        new RecordNoNationalRecordCommand(childId, { source: 'officer' }, { ...request, metadata: { ...request.metadata, reason } }, this.context.create()),
      {
        metadata: { review: outcome },
        afterCommit: () => this.resolve(childId, outcome === 'rejected_all' ? 'all candidates rejected' : 'no national record'),
      },
    );
  }

  private async resolve(childId: string, resolution: string): Promise<void> {
    await this.pool.query(
      `UPDATE identity_review_queue SET status = 'resolved', resolved_at = now(), resolution = $2 WHERE child_id = $1 AND status = 'open'`,
      [childId, resolution],
    );
  }

  /** An open review of a child who lives (now) in the user's jurisdiction. */
  private async openReview(user: AuthenticatedUser, childId: string): Promise<ReviewItem> {
    const res = await this.pool.query<{
      commune_code: string;
      recorded_on: string;
      candidates: ReviewCandidate[];
      reason: string;
      requested_at: Date;
      status: string;
    }>(
      `SELECT c.commune_code, to_char(c.recorded_on, 'YYYY-MM-DD') AS recorded_on, q.candidates, q.reason, q.requested_at, q.status
         FROM identity_review_queue q JOIN identity_children c ON c.child_id = q.child_id
        WHERE q.child_id = $1 AND c.status = 'active'`,
      [childId],
    );
    const row = res.rows[0];
    if (!row || row.status !== 'open' || this.communeFor(user, row.commune_code, row.recorded_on, undefined) === undefined) throw notFound();
    return {
      childId,
      communeCode: row.commune_code,
      status: 'open',
      reason: row.reason,
      candidates: row.candidates,
      explanation: '',
      requestedEventId: '',
      requestedAt: row.requested_at.toISOString(),
    };
  }

  /** The commune in force today the row stands for, if the user may see it (and it is the one asked for). */
  private communeFor(user: AuthenticatedUser, code: string, recordedOn: string, asked: string | undefined): string | undefined {
    const today = this.units.currentCodesFor(code, { recordedOn });
    return today.find((c) => (asked === undefined || c === asked) && this.policy.mayActOnCommune(user, c));
  }

  private currentCommune(code: string, recordedOn: string): string {
    return this.units.currentCodesFor(code, { recordedOn })[0] ?? code;
  }

  private communeName(code: string): string | null {
    return this.units.communeOn(code, new Date())?.fullName ?? null;
  }

  private person(personalId: string, r: ReviewResident): ReviewPersonDto {
    const commune = r.residenceCommuneCode;
    return compact({
      fullName: r.fullName,
      dateOfBirth: r.dateOfBirth,
      sex: r.sex,
      personalId,
      communeCode: commune,
      communeName: commune ? (this.communeName(commune) ?? undefined) : undefined,
      fatherName: r.fatherFullName,
      motherName: r.motherFullName,
    });
  }
}

function fieldOf(f: FieldExplanation): ReviewFieldDto {
  return { field: f.field, level: f.level, description: f.description, agreement: agreementOf(f), weight: round2(f.weight) };
}

function notFound(): RegistryError {
  return new RegistryError('CHILD_NOT_FOUND', 'the child has no open identity review', 'childId');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const CURSOR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeReviewCursor(requestedAt: string, childId: string): string {
  return Buffer.from(JSON.stringify([requestedAt, childId])).toString('base64url');
}

export function decodeReviewCursor(cursor: string): { requestedAt: string; childId: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      CURSOR_INSTANT.test(v[0]) &&
      !Number.isNaN(Date.parse(v[0])) &&
      typeof v[1] === 'string' &&
      /^[A-Za-z0-9_-]{1,100}$/.test(v[1])
    ) {
      return { requestedAt: v[0], childId: v[1] };
    }
  } catch {
    // fall through
  }
  throw new RegistryError('INVALID_INPUT', 'after must be the `next` cursor of a previous page', 'after');
}
