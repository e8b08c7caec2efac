import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ReadAuditEntity } from '../entities';

/** Who viewed a child's or its cases' personal data (read_audit; written by the platform's ReadAuditWriter). */
@Injectable()
export class ReadAuditQueries {
  constructor(@InjectRepository(ReadAuditEntity) private readonly repo: Repository<ReadAuditEntity>) {}

  viewsOf(childId: string): Promise<ReadAuditEntity[]> {
    return this.repo.find({ where: { childId }, order: { readAt: 'ASC', id: 'ASC' } });
  }
}
