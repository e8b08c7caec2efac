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

  /** The cases with these ids (those that still exist), by id. */
  async casesByIds(caseIds: readonly string[]): Promise<Map<string, CaseEntity>> {
    const found = caseIds.length ? await this.cases.findBy({ caseId: In([...caseIds]) }) : [];
    return new Map(found.map((c) => [c.caseId, c]));
  }
}
