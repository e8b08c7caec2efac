import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ChildEntity } from '../entities';

/** The children read model (rm_children): one child's current row. */
@Injectable()
export class ChildReadRepository {
  constructor(@InjectRepository(ChildEntity) private readonly children: Repository<ChildEntity>) {}

  findChild(childId: string): Promise<ChildEntity | null> {
    return this.children.findOneBy({ childId });
  }
}
