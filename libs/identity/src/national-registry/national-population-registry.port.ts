import type { ResidentInput } from '@childledger/matching';

/**
 * Demographic criteria for a search. The national database answers only with residents that satisfy
 * every criterion given; callers send the few fields a blocking key needs, never the whole record.
 * Names are matched on their folded (diacritic-free) family and given parts.
 */
export interface ResidentSearchCriteria {
  familyName?: string;
  givenName?: string;
  birthYear?: number;
  /** `YYYY-MM-DD` */
  dateOfBirth?: string;
  sex?: 'M' | 'F';
  /** Current 2-digit province code of residence. */
  provinceCode?: string;
  /** Current 5-digit commune code of residence. */
  communeCode?: string;
}

/** The stated details a yes/no verification checks against a number. */
export interface VerificationDetails {
  fullName?: string;
  dateOfBirth?: string;
  sex?: 'M' | 'F';
}

/** Why a call is made, for the audit trail and the remote service's own logs. */
export interface RegistryCallContext {
  childId: string;
  correlationId: string;
}

/**
 * The national population database's data-sharing interface, as the platform uses it. Two kinds of
 * service exist: a search by demographic criteria returning candidates, and a yes/no verification of
 * stated details against a number (national-id.md). The HTTP adapter talks to the sandbox or the
 * real thing by configuration.
 */
export interface NationalPopulationRegistry {
  search(criteria: ResidentSearchCriteria, context: RegistryCallContext): Promise<ResidentInput[]>;
  lookup(personalId: string, context: RegistryCallContext): Promise<ResidentInput | undefined>;
  verify(personalId: string, details: VerificationDetails, context: RegistryCallContext): Promise<boolean>;
}
