import { DomainError } from './domain.error';
import type { PersonalIdProblem } from '../personal-id/personal-id';

export const REGISTRY_ERROR_CODES = [
  // input that does not have the right shape (a bad date, an unknown enum value, a missing id)
  'INVALID_INPUT',
  'MISSING_REASON',
  'NAME_REQUIRED',
  'NAME_TOO_LONG',
  'INVALID_CHARACTERS',
  'NOTHING_TO_CHANGE',
  // dates
  'DATE_IN_FUTURE',
  'DATE_BEFORE_BIRTH',
  'DATE_OUT_OF_ORDER',
  'CHILD_TOO_OLD',
  // reference data
  'INVALID_PERSONAL_ID',
  'UNKNOWN_COMMUNE',
  // child record
  'CHILD_ALREADY_REGISTERED',
  'CHILD_NOT_FOUND',
  'RECORD_MERGED',
  'RECORD_NOT_MERGED',
  'RECORD_ERASED',
  'CANNOT_MERGE_INTO_ITSELF',
  'CIRCUMSTANCE_ALREADY_ACTIVE',
  'CIRCUMSTANCE_NOT_ACTIVE',
  'RISK_ALREADY_ACTIVE',
  'RISK_NOT_ACTIVE',
  'NATIONAL_ID_ALREADY_LINKED',
  'NATIONAL_ID_NOT_LINKED',
  // protection case
  'CASE_ALREADY_OPENED',
  'CASE_NOT_FOUND',
  'CASE_CLOSED',
  'ILLEGAL_TRANSITION',
  'INTERVENTION_ALREADY_PLANNED',
  'INTERVENTION_NOT_PLANNED',
] as const;

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export interface RegistryErrorDetails {
  /** With INVALID_PERSONAL_ID: which check failed. */
  personalIdProblem?: PersonalIdProblem;
  /** With ILLEGAL_TRANSITION: the case's status and the command refused. */
  status?: string;
  command?: string;
  /** With RECORD_MERGED: where the record now lives. */
  survivingChildId?: string;
  [key: string]: unknown;
}

/** The one error type of both aggregates (child record and protection case). */
export class RegistryError extends DomainError<RegistryErrorCode> {
  declare readonly details?: Readonly<RegistryErrorDetails>;

  constructor(code: RegistryErrorCode, message: string, field?: string, details?: RegistryErrorDetails) {
    super(code, message, field, details);
  }
}
