import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AuthenticatedUser } from '../auth/auth.types';
import { PG_POOL } from '../tokens';
import type { Purpose } from './purpose';

/** One read of a child's or a case's personal data. */
export interface PersonalDataRead {
  purpose: Purpose;
  resourceType: 'child' | 'case' | 'import';
  resourceId: string;
  /** The child the data is about (a case's child); null when it is not known. */
  childId: string | null;
  /** Which view: `current`, `as_of_<time>:<date>`, `search`... */
  view: string;
  correlationId?: string;
}

/** The request's correlation id (pino-http's `req.id`), as the read audit keeps it. */
export function readCorrelationId(req: { id?: string | number } | undefined): string | undefined {
  return req?.id === undefined ? undefined : String(req.id);
}

/**
 * Writes every read of a child's or a case's personal data (who, what, when, why) to `read_audit`
 * before the data is returned: if it cannot be recorded, the caller fails and nothing is shown.
 * Every service writes through this one writer (the table lives with the read models, in the
 * platform's database; the application role may only INSERT and SELECT it). Reads are not domain
 * facts, so they do not go into the event log (docs/architecture.md).
 */
@Injectable()
export class ReadAuditWriter {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async record(user: AuthenticatedUser, read: PersonalDataRead): Promise<void> {
    await this.pool.query(
      `INSERT INTO read_audit (user_id, role, user_units, purpose, resource_type, resource_id, child_id, view, correlation_id)
       VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9)`,
      [
        user.userId,
        user.role,
        user.communes.length ? user.communes : user.provinces,
        read.purpose,
        read.resourceType,
        read.resourceId,
        read.childId,
        read.view,
        read.correlationId ?? null,
      ],
    );
  }
}
