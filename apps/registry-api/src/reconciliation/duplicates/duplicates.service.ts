import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { childDecider, ChildEvent, ChildState, childStreamId, isActiveRecord, RegisteredChildState, RegistryError } from '@childledger/domain';
import { EventStore, loadState } from '@childledger/event-store';
import { AuthenticatedUser, EVENT_STORE, PG_POOL, Purpose, ReadAuditWriter } from '@childledger/platform';
import { childNotFound, CommandResponseBody, responseBody } from '@childledger/registry';
import { AuthenticatedRequest, etagOf, parseIfMatch } from '../../http/command-responder';
import { duplicateDecisionStreamId, NOT_DUPLICATES_EVENT, orderedPair } from './duplicate-decision';
import type { DuplicatePairDto, DuplicatePairsPageDto, DuplicatePairSummaryDto, DuplicateRecordDto, MergesPageDto } from './duplicates.dto';

interface PairRow {
  child_id: string;
  other_child_id: string;
  probability: number;
  decision: string;
  fields: DuplicatePairDto['fields'];
  commune_code: string | null;
  other_commune_code: string | null;
  found_at: Date;
}

const cursorOf = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
function partsOf(after: string | undefined, n: number): unknown[] | undefined {
  if (!after) return undefined;
  try {
    const parts = JSON.parse(Buffer.from(after, 'base64url').toString()) as unknown;
    if (Array.isArray(parts) && parts.length === n) return parts;
  } catch {
    // answered below
  }
  throw new RegistryError('INVALID_INPUT', 'after must be the next value of the previous page', 'after');
}

/**
 * The officer's side of the stored duplicates list (kept by DuplicatesSubscription): pages filtered
 * by jurisdiction in SQL (both records must be the officer's), one pair side by side (a read of
 * personal data: purpose and read audit first), and the "not the same child" decision, an event on
 * the pair's own stream with the officer, the unit, the correlation id and the reason.
 */
@Injectable()
export class DuplicatesService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly readAudit: ReadAuditWriter,
  ) {}

  /** The jurisdiction as SQL over a row's two sides (`$1` communes, `$2` provinces, `$3` admin). */
  private scope(a: [string, string], b: [string, string]): string {
    const side = ([commune, province]: [string, string]) => `(CASE WHEN cardinality($1::text[]) > 0 THEN ${commune} = ANY($1) ELSE ${province} = ANY($2) END)`;
    return `($3::boolean OR (${side(a)} AND ${side(b)}))`;
  }

  private scopeParams(user: AuthenticatedUser): unknown[] {
    return [user.communes, user.provinces, user.role === 'admin'];
  }

  async list(user: AuthenticatedUser, limit = 50, after?: string): Promise<DuplicatePairsPageDto> {
    const from = partsOf(after, 3);
    const params = [...this.scopeParams(user), limit + 1, ...(from ?? [])];
    const res = await this.pool.query<PairRow>(
      `SELECT child_id, other_child_id, probability, decision, fields, commune_code, other_commune_code, found_at FROM rm_duplicate_pairs
        WHERE ${this.scope(['commune_code', 'province_code'], ['other_commune_code', 'other_province_code'])}
          ${from ? `AND (-probability, child_id, other_child_id) > (-($5::double precision), $6, $7)` : ''}
        ORDER BY -probability, child_id, other_child_id LIMIT $4`,
      params,
    );
    const rows = res.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return { items: rows.map(summary), next: res.rows.length > limit && last ? cursorOf([last.probability, last.child_id, last.other_child_id]) : null };
  }

  /** A stored pair the user may see, or the not-found answer (outside the jurisdiction reads as missing). */
  private async visiblePair(user: AuthenticatedUser, a: string, b: string): Promise<PairRow> {
    const [x, y] = orderedPair(a, b);
    const res = await this.pool.query<PairRow>(
      `SELECT child_id, other_child_id, probability, decision, fields, commune_code, other_commune_code, found_at FROM rm_duplicate_pairs
        WHERE child_id = $4 AND other_child_id = $5 AND ${this.scope(['commune_code', 'province_code'], ['other_commune_code', 'other_province_code'])}`,
      [...this.scopeParams(user), x, y],
    );
    const row = res.rows[0];
    if (!row) throw childNotFound('otherChildId');
    return row;
  }

  async pair(user: AuthenticatedUser, a: string, b: string, purpose: Purpose, correlationId: string | undefined): Promise<DuplicatePairDto> {
    const row = await this.visiblePair(user, a, b);
    const [first, second] = await Promise.all([this.load(row.child_id), this.load(row.other_child_id)]);
    if (!first || !second) throw childNotFound('otherChildId');
    // The read policy: both records are in the read audit before either leaves.
    for (const childId of [row.child_id, row.other_child_id]) {
      await this.readAudit.record(user, { purpose, resourceType: 'child', resourceId: childId, childId, view: 'current', correlationId });
    }
    return { ...summary(row), record: recordOf(first.state, first.revision), other: recordOf(second.state, second.revision), fields: row.fields };
  }

  async notSame(req: AuthenticatedRequest, res: Response, a: string, b: string, reason: string): Promise<CommandResponseBody> {
    const user = req.user;
    const row = await this.visiblePair(user, a, b);
    const streamId = duplicateDecisionStreamId(row.child_id, row.other_child_id);
    const expected = parseIfMatch(req.header('if-match'));
    const id = randomUUID();
    const unit = user.communes.find((c) => c === row.commune_code) ?? user.provinces[0];
    const result = await this.store.append(
      streamId,
      [
        {
          id,
          type: NOT_DUPLICATES_EVENT,
          data: { childId: row.child_id, otherChildId: row.other_child_id, decidedAt: new Date().toISOString(), personal: { reason } },
          metadata: {
            actor: { userId: user.userId, role: user.role, ...(unit && user.role !== 'admin' ? { unit } : {}) },
            correlationId: String(req.id ?? ''),
            source: 'api',
          },
        },
      ],
      { expectedRevision: expected ?? 'no_stream' },
    );
    res.status(200).setHeader('ETag', etagOf(result.nextExpectedRevision));
    return responseBody(streamId, row.child_id, [{ id, type: NOT_DUPLICATES_EVENT }], result.nextExpectedRevision);
  }

  async merges(user: AuthenticatedUser, limit = 50, after?: string): Promise<MergesPageDto> {
    const from = partsOf(after, 2);
    const res = await this.pool.query<{ child_id: string; surviving_child_id: string; merged_at: Date; commune_code: string | null }>(
      `SELECT child_id, surviving_child_id, merged_at, commune_code FROM rm_duplicate_merges
        WHERE ${this.scope(['commune_code', 'province_code'], ['surviving_commune_code', 'surviving_province_code'])}
          ${from ? `AND (merged_at, child_id) < ($5::timestamptz, $6)` : ''}
        ORDER BY merged_at DESC, child_id DESC LIMIT $4`,
      [...this.scopeParams(user), limit + 1, ...(from ?? [])],
    );
    const rows = res.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({
        childId: r.child_id,
        survivingChildId: r.surviving_child_id,
        mergedAt: r.merged_at.toISOString(),
        communeCode: r.commune_code,
      })),
      next: res.rows.length > limit && last ? cursorOf([last.merged_at.toISOString(), last.child_id]) : null,
    };
  }

  private async load(childId: string): Promise<{ state: RegisteredChildState; revision: number } | undefined> {
    const { state, revision } = await loadState<ChildState, ChildEvent>(this.store, childStreamId(childId), childDecider);
    return isActiveRecord(state) ? { state, revision } : undefined;
  }
}

function summary(r: PairRow): DuplicatePairSummaryDto {
  return {
    childId: r.child_id,
    otherChildId: r.other_child_id,
    communeCode: r.commune_code,
    otherCommuneCode: r.other_commune_code,
    probability: r.probability,
    decision: r.decision,
    foundAt: new Date(r.found_at).toISOString(),
  };
}

function recordOf(s: RegisteredChildState, revision: number): DuplicateRecordDto {
  return {
    childId: s.childId,
    revision,
    fullName: s.fullName,
    dateOfBirth: s.dateOfBirth,
    sex: s.sex,
    personalId: s.nationalId ?? s.personalId,
    motherName: s.motherName,
    fatherName: s.fatherName,
    communeCode: s.residence.communeCode,
    nationalIdState: s.nationalId ? 'linked' : 'none',
    circumstances: Object.keys(s.circumstances).map(Number),
  };
}
