import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { Repository } from 'typeorm';
import { ReadAuditEntity } from '../entities';
import { dayAfter, dayStart, EXPORT_BATCH_ROWS, everInJurisdictionSql, streamCursor } from './audit-trail.queries';
import { Jurisdiction, Params } from './sql';
import { READ_MODEL_POOL } from './tokens';

/** Filters of the read audit, already checked by the caller. */
export interface ReadAuditFilters {
  /** Reads of this child's (or its cases') personal data: "who viewed this child". */
  childId?: string;
  /** Reads by this user: "what did this officer look at, and why". */
  actorId?: string;
  purpose?: string;
  /** Vietnam days, inclusive (YYYY-MM-DD): the period inspected. */
  from?: string;
  to?: string;
  /** Keyset: the last row's read_at (as sqlInstant prints it) and id. */
  after?: { readAt: string; id: string };
}

export interface ReadAuditRow {
  id: string;
  /** read_at in UTC with microseconds: the cursor's key. */
  read_at_text: string;
  read_at: Date;
  user_id: string;
  role: string;
  user_units: string[];
  purpose: string;
  resource_type: string;
  resource_id: string;
  child_id: string | null;
  view: string;
  correlation_id: string | null;
}

/**
 * What an inspector did on the inspection routes (a search of the audit trail or of the read
 * audit, an export, a proof): written to `read_audit` like any read of personal data, so an
 * inspector's own look at a child shows in "who viewed this child" and an inspector's queries in
 * "what did this person look at".
 */
export interface InspectionRead {
  userId: string;
  role: string;
  userUnits: readonly string[];
  purpose: string;
  resourceType: 'audit_trail' | 'read_audit' | 'log_integrity' | 'event_proof';
  /** What was asked about: `child:<id>`, `actor:<id>`, `unit:<code>`, an event id, or `all`. */
  resourceId: string;
  childId: string | null;
  /** `search:<filters used>`, `export:<filters used>`, `status`, `download`. */
  view: string;
  correlationId?: string;
}

const COLUMNS = `r.id::text AS id, to_char(r.read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS read_at_text, r.read_at, r.user_id, r.role,
                 r.user_units, r.purpose, r.resource_type, r.resource_id, r.child_id, r.view, r.correlation_id`;

/** Who viewed a child's or its cases' personal data, and what a user looked at (read_audit; written by the platform's ReadAuditWriter and by inspections). */
@Injectable()
export class ReadAuditQueries {
  constructor(
    @InjectRepository(ReadAuditEntity) private readonly repo: Repository<ReadAuditEntity>,
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
  ) {}

  viewsOf(childId: string): Promise<ReadAuditEntity[]> {
    return this.repo.find({ where: { childId }, order: { readAt: 'ASC', id: 'ASC' } });
  }

  /**
   * The statement of a page or an export. Visible to an inspector: reads of a child who lived in
   * their jurisdiction during the period, and reads about no child by people of their units
   * (`units`: the inspector's provinces and every commune in them, or their communes).
   */
  private statement(user: Jurisdiction, units: readonly string[], f: ReadAuditFilters, limit?: number): { sql: string; values: unknown[] } {
    const p = new Params();
    const where: string[] = [];
    if (f.childId) where.push(`r.child_id = ${p.add(f.childId)}`);
    if (f.actorId) where.push(`r.user_id = ${p.add(f.actorId)}`);
    if (f.purpose) where.push(`r.purpose = ${p.add(f.purpose)}`);
    if (f.from) where.push(`r.read_at >= ${dayStart(p.add(f.from))}`);
    if (f.to) where.push(`r.read_at < ${dayAfter(p.add(f.to))}`);
    if (f.after) where.push(`(r.read_at, r.id) > (${p.add(f.after.readAt)}::timestamptz, ${p.add(f.after.id)}::bigint)`);
    const visible = everInJurisdictionSql(user, 'r.child_id', { from: f.from, to: f.to }, p);
    if (visible) where.push(`(CASE WHEN r.child_id IS NULL THEN r.user_units && ${p.add(units)}::text[] ELSE ${visible} END)`);
    const sql = `SELECT ${COLUMNS} FROM read_audit r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                  ORDER BY r.read_at, r.id${limit === undefined ? '' : ` LIMIT ${p.add(limit)}`}`;
    return { sql, values: p.values };
  }

  async reads(user: Jurisdiction, units: readonly string[], f: ReadAuditFilters, limit: number): Promise<ReadAuditRow[]> {
    const { sql, values } = this.statement(user, units, f, limit);
    return (await this.pool.query<ReadAuditRow>(sql, values)).rows;
  }

  /** Every matching read, from one cursor in one snapshot, `batch` rows at a time (see AuditTrailQueries.stream). */
  async *stream(user: Jurisdiction, units: readonly string[], f: ReadAuditFilters, batch = EXPORT_BATCH_ROWS): AsyncGenerator<ReadAuditRow[]> {
    const { sql, values } = this.statement(user, units, f);
    yield* streamCursor<ReadAuditRow>(this.pool, sql, values, batch);
  }

  /** Records an inspector's query or export before it is answered (if it cannot be recorded, nothing is shown). */
  async recordInspection(read: InspectionRead): Promise<void> {
    await this.pool.query(
      `INSERT INTO read_audit (user_id, role, user_units, purpose, resource_type, resource_id, child_id, view, correlation_id)
       VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9)`,
      [read.userId, read.role, read.userUnits, read.purpose, read.resourceType, read.resourceId, read.childId, read.view, read.correlationId ?? null],
    );
  }

  /** Whether the child lived in the user's jurisdiction on some day of the period (any time when no period is given). */
  async everInJurisdiction(user: Jurisdiction, childId: string, period: { from?: string; to?: string } = {}): Promise<boolean> {
    const p = new Params();
    const child = p.add(childId);
    const visible = everInJurisdictionSql(user, child, period, p);
    const { rows } = await this.pool.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM rm_child_spells s0 WHERE s0.child_id = ${child} AND s0.kind = 'residence')${visible ? ` AND ${visible}` : ''} AS ok`,
      p.values,
    );
    return rows[0]?.ok === true;
  }
}
