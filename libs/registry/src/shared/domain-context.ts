import type { AdministrativeUnits } from '@childledger/admin-units';
import { CaseDeadlines, DEFAULT_CASE_DEADLINES, DomainContext } from '@childledger/domain';

/** Builds the context every domain command carries: the clock, the unit lists, the case deadlines. */
export class DomainContextFactory {
  constructor(
    readonly units: AdministrativeUnits,
    readonly deadlines: CaseDeadlines = DEFAULT_CASE_DEADLINES,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  create(): DomainContext {
    return { now: this.clock(), units: this.units, deadlines: this.deadlines };
  }
}
