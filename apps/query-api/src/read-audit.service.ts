import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AuthenticatedUser } from '@childledger/platform';
import { ReadAuditEntity } from '@childledger/read-models';
import type { Purpose } from './access';

/**
 * Records every read of a child's or a case's personal data (who, what, when, why) in the read
 * model database, before the data is returned: if it cannot be recorded, nothing is shown.
 * Reads are not domain facts, so they do not go into the event log (docs/architecture.md).
 */
@Injectable()
export class ReadAuditService {
  constructor(@InjectRepository(ReadAuditEntity) private readonly repo: Repository<ReadAuditEntity>) {}

  async record(user: AuthenticatedUser, read: { purpose: Purpose; resourceType: 'child' | 'case'; resourceId: string; childId: string | null; view: string; correlationId?: string }): Promise<void> {
    await this.repo.insert({
      userId: user.userId,
      role: user.role,
      userUnits: user.communes.length ? user.communes : user.provinces,
      purpose: read.purpose,
      resourceType: read.resourceType,
      resourceId: read.resourceId,
      childId: read.childId,
      view: read.view,
      correlationId: read.correlationId ?? null,
    });
  }

  viewsOf(childId: string): Promise<ReadAuditEntity[]> {
    return this.repo.find({ where: { childId }, order: { readAt: 'ASC', id: 'ASC' } });
  }
}
