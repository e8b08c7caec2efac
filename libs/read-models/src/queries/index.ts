export * from './sql';
export * from './tokens';
export * from './children.repository';
export * from './cases.repository';
export * from './audit-trail.queries';
export * from './reconciliation-queue.queries';
export * from './read-audit.queries';
export * from './indicators.queries';
export * from './child-search.queries';
export * from './indicator-publications.queries';

import { AuditTrailQueries } from './audit-trail.queries';
import { CaseReadRepository } from './cases.repository';
import { ChildReadRepository } from './children.repository';
import { ChildSearchQueries } from './child-search.queries';
import { IndicatorPublications } from './indicator-publications.queries';
import { IndicatorQueries } from './indicators.queries';
import { ReadAuditQueries } from './read-audit.queries';
import { ReconciliationQueueQueries } from './reconciliation-queue.queries';

/** Every read-model repository and query module, for a service's providers (with READ_MODEL_POOL and the TypeORM entities). */
export const READ_MODEL_QUERIES = [
  ChildReadRepository,
  CaseReadRepository,
  AuditTrailQueries,
  ReconciliationQueueQueries,
  ReadAuditQueries,
  IndicatorQueries,
  ChildSearchQueries,
  IndicatorPublications,
];
