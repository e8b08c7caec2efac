import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { In, Repository } from 'typeorm';
import { CaseEntity, ChildEntity } from '../entities';
import { Jurisdiction, jurisdictionSql, Params } from './sql';
import { READ_MODEL_POOL } from './tokens';

export interface CasesOfUnitQuery {
  /** A province (2 digits) or a commune (5 digits) in force today. */
  unit: string;
  overdueOnly: boolean;
  /** Keyset: the last case id of the previous page. */
  afterCaseId?: string;
  limit: number;
}

/** A case worker's worklist: open cases held by the user, or open cases in their units that nobody holds. */
export interface WorklistQuery {
  view: 'mine' | 'unassigned';
  /** The user asking (for `mine`). */
  userId: string;
  /** Only cases past their step's deadline, or due within `dueSoonHours` (and not past it). */
  due?: 'overdue' | 'due_soon';
  /** The clock the overdue and due-soon states are computed against (the request's now). */
  now: Date;
  dueSoonHours: number;
  limit: number;
  offset: number;
}

export interface WorklistRow {
  case_id: string;
  child_id: string;
  status: string;
  concern: string | null;
  protection_level: string | null;
  risk_level: string | null;
  reported_at: Date | null;
  next_due_at: Date | null;
  assignee_id: string | null;
  assigned_at: Date | null;
  overdue: boolean;
  due_soon: boolean;
}

export interface WorklistPage {
  rows: WorklistRow[];
  /** Counts over the whole view (before the `due` filter and paging), from the same statement as the rows. */
  total: number;
  overdue: number;
  dueSoon: number;
  /** Rows matching the view and the `due` filter: what the pages add up to. */
  matching: number;
}

/** The cases read model (rm_cases, with the child's row for where the child lives now). */
@Injectable()
export class CaseReadRepository {
  constructor(
    @InjectRepository(CaseEntity) private readonly cases: Repository<CaseEntity>,
    @InjectRepository(ChildEntity) private readonly children: Repository<ChildEntity>,
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
  ) {}

  /** A case and its child's row; null when either is missing. */
  async findCaseWithChild(caseId: string): Promise<{ case: CaseEntity; child: ChildEntity } | null> {
    const c = await this.cases.findOneBy({ caseId });
    const child = c ? await this.children.findOneBy({ childId: c.childId }) : null;
    return c && child ? { case: c, child } : null;
  }

  /**
   * Ids of the cases of children living in the unit that the user may see, in case id order,
   * after the cursor: up to `limit` ids. The unit asked for may be wider than what the user sees
   * of it (a commune officer asking for a split old commune's new one): the jurisdiction filter
   * is in the query, so that a page is never short.
   */
  async caseIdsOfUnit(user: Jurisdiction, q: CasesOfUnitQuery): Promise<string[]> {
    const p = new Params();
    const where = [`${q.unit.length === 2 ? 'ch.province_code' : 'ch.commune_code'} = ${p.add(q.unit)}`];
    if (q.overdueOnly) where.push('c.next_due_at < now()');
    const visible = jurisdictionSql(user, { province: 'ch.province_code', commune: 'ch.commune_code', candidates: 'ch.candidate_communes' }, p.add);
    if (visible) where.push(visible);
    if (q.afterCaseId !== undefined) where.push(`c.case_id > ${p.add(q.afterCaseId)}`);
    const res = await this.pool.query<{ case_id: string }>(
      `SELECT c.case_id FROM rm_cases c JOIN rm_children ch USING (child_id) WHERE ${where.join(' AND ')} ORDER BY c.case_id LIMIT ${p.add(q.limit)}`,
      p.values,
    );
    return res.rows.map((r) => r.case_id);
  }

  /**
   * The worklist, sorted and paged in SQL: overdue first, then due soon, then by the deadline of the
   * step each case waits for (no deadline last), case id breaking ties. Closed cases are not work.
   * Jurisdiction is a condition of the query (where the child lives now), so pages are full and the
   * counts agree with the rows.
   */
  async worklist(user: Jurisdiction, q: WorklistQuery): Promise<WorklistPage> {
    const p = new Params();
    const now = p.add(q.now.toISOString());
    const soon = p.add(new Date(q.now.getTime() + q.dueSoonHours * 3_600_000).toISOString());
    const where = [`c.status <> 'closed'`, q.view === 'mine' ? `c.assignee_id = ${p.add(q.userId)}` : 'c.assignee_id IS NULL'];
    const visible = jurisdictionSql(user, { province: 'ch.province_code', commune: 'ch.commune_code', candidates: 'ch.candidate_communes' }, p.add);
    if (visible) where.push(visible);
    const dueFilter = q.due === 'overdue' ? 'WHERE w.overdue' : q.due === 'due_soon' ? 'WHERE w.due_soon' : '';
    const res = await this.pool.query<WorklistRow & { total: string; overdue_count: string; due_soon_count: string; matching: string }>(
      `WITH w AS (
         SELECT c.case_id, c.child_id, c.status, c.concern, c.protection_level, c.risk_level, c.reported_at, c.next_due_at,
                c.assignee_id, c.assigned_at,
                COALESCE(c.next_due_at < ${now}::timestamptz, false) AS overdue,
                COALESCE(c.next_due_at >= ${now}::timestamptz AND c.next_due_at < ${soon}::timestamptz, false) AS due_soon
           FROM rm_cases c JOIN rm_children ch USING (child_id)
          WHERE ${where.join(' AND ')}
       ), counts AS (
         SELECT count(*) AS total, count(*) FILTER (WHERE overdue) AS overdue_count, count(*) FILTER (WHERE due_soon) AS due_soon_count FROM w
       ), matching AS (
         SELECT * FROM w ${dueFilter}
       )
       SELECT m.*, counts.total, counts.overdue_count, counts.due_soon_count, (SELECT count(*) FROM matching) AS matching
         FROM counts LEFT JOIN LATERAL (
           SELECT * FROM matching
            ORDER BY overdue DESC, due_soon DESC, next_due_at ASC NULLS LAST, case_id
            LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}
         ) m ON true`,
      p.values,
    );
    const first = res.rows[0];
    return {
      rows: res.rows.filter((r) => r.case_id !== null).map(({ total: _t, overdue_count: _o, due_soon_count: _d, matching: _m, ...row }) => row),
      total: Number(first?.total ?? 0),
      overdue: Number(first?.overdue_count ?? 0),
      dueSoon: Number(first?.due_soon_count ?? 0),
      matching: Number(first?.matching ?? 0),
    };
  }

  /** The cases with these ids (those that still exist), by id. */
  async casesByIds(caseIds: readonly string[]): Promise<Map<string, CaseEntity>> {
    const found = caseIds.length ? await this.cases.findBy({ caseId: In([...caseIds]) }) : [];
    return new Map(found.map((c) => [c.caseId, c]));
  }
}
