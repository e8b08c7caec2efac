import type { CaseDeadlines } from '../case/case-deadlines';

/**
 * The administrative-unit questions the domain asks. `AdministrativeUnits` from
 * @childledger/admin-units satisfies it; tests pass a stub. Dates are ISO `YYYY-MM-DD`.
 */
export interface AdministrativeUnitLookup {
  isCommuneValidOn(code: string, date: string): boolean;
  /** Any code that is or was a 2-digit province code. */
  isKnownProvinceCode(code: string): boolean;
}

/** What a child command needs besides its data: the clock and the unit lists. */
export interface ChildCommandContext {
  now: Date;
  units: AdministrativeUnitLookup;
}

/** What a case command needs besides its data: the clock and the deadline configuration. */
export interface CaseCommandContext {
  now: Date;
  deadlines: CaseDeadlines;
}

/** Everything either aggregate may need; a handler can build one and pass it to both. */
export type DomainContext = ChildCommandContext & CaseCommandContext;
