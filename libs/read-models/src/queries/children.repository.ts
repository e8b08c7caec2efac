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

  /** The duplicates merged into this child (and not reverted): their facts are the survivor's too. */
  mergedInto(survivorId: string): Promise<ChildEntity[]> {
    return this.children.find({ where: { mergedInto: survivorId, status: 'merged' }, order: { childId: 'ASC' } });
  }
}

/**
 * The surviving child as the record shows it: its own row, plus the facts of the duplicates merged
 * into it (a merge says they are the same child): every special-circumstance group and risk either
 * record holds, and the national-ID link of a duplicate when the survivor has none. The survivor's
 * own details (name, residence, date of birth) stay as they are.
 */
export function withMergedFacts(survivor: ChildEntity, duplicates: readonly ChildEntity[]): ChildEntity & { mergedFrom: string[] } {
  const union = (own: number[], pick: (c: ChildEntity) => number[]) => [...new Set([...own, ...duplicates.flatMap(pick)])].sort((a, b) => a - b);
  const linked = survivor.nationalIdState === 'linked' ? undefined : duplicates.find((d) => d.nationalIdState === 'linked');
  return Object.assign(Object.create(Object.getPrototypeOf(survivor) as object) as ChildEntity, survivor, {
    circumstances: union(survivor.circumstances ?? [], (d) => d.circumstances ?? []),
    risks: union(survivor.risks ?? [], (d) => d.risks ?? []),
    ...(linked ? { nationalIdState: linked.nationalIdState, nationalIdSource: linked.nationalIdSource, nationalIdLinkedAt: linked.nationalIdLinkedAt } : {}),
    mergedFrom: duplicates.map((d) => d.childId),
  });
}
