import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { isIsoDate } from '@childledger/domain';
import { AuthenticatedUser, canActOn, CASE_CONTENT_ROLES, Role } from '@childledger/platform';

// The read policy (purposes, the read audit, who sees case content) is the platform's, shared by
// every service that shows personal data: libs/platform/src/read-policy.

export const ALL_ROLES: Role[] = ['data_officer', 'case_worker', 'inspector', 'admin'];
export const INSPECTION_ROLES: Role[] = ['inspector', 'admin'];
/** Who may read a case's content: the platform's one table (data officers may not). */
export const CASE_ROLES: readonly Role[] = CASE_CONTENT_ROLES;
export const RECONCILIATION_ROLES: Role[] = ['data_officer', 'admin'];
export const REFERENCE_DATA_ROLES: Role[] = ['admin', 'inspector'];

export interface Located {
  province_code: string | null;
  commune_code: string | null;
  candidate_communes?: string[] | null;
}

/** Whether the user may see a child living there: any commune the recorded code may stand for counts. */
export function mayAccess(user: AuthenticatedUser, where: Located): boolean {
  if (user.role === 'admin') return true;
  if (!where.province_code) return false;
  const communes = where.candidate_communes?.length ? where.candidate_communes : [where.commune_code ?? undefined];
  return communes.some((communeCode) => canActOn(user, { provinceCode: where.province_code!, communeCode: communeCode ?? undefined }));
}

/**
 * A record the user may see, or a 404: a record outside the user's jurisdiction is answered
 * exactly like one that does not exist (same status, same body), so that a refusal tells neither
 * where a child lives nor that the record exists. `notFound` names only what the caller asked for.
 */
export function requireAccess(user: AuthenticatedUser, where: Located | undefined, notFound: string): void {
  if (!where || !mayAccess(user, where)) throw new NotFoundException(notFound);
}

/**
 * A unit code the user may ask about: a province of theirs, or one of their communes (a province
 * officer: any commune of the province). The refusal names the unit the caller asked about, never
 * a record's.
 */
export function requireUnitInJurisdiction(user: AuthenticatedUser, unitCode: string, provinceCode: string): void {
  if (user.role === 'admin') return;
  const ok = unitCode.length === 2 ? user.communes.length === 0 && user.provinces.includes(unitCode) : canActOn(user, { provinceCode, communeCode: unitCode });
  if (!ok) throw new ForbiddenException(`unit ${unitCode} is outside your jurisdiction`);
}

export function optionalDate(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  // A real calendar day: 2025-02-30 is refused, not read as 2 March.
  if (!isIsoDate(value)) throw new BadRequestException({ message: `${field} must be a date YYYY-MM-DD`, field });
  return value;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An instant (ISO 8601 with a time and a zone: 2026-03-31T17:00:00Z, 2026-04-01T00:00+07:00) that
 * is not in the future; 400 naming `field` and the rule otherwise.
 */
export function optionalPastInstant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = INSTANT.test(value) && isIsoDate(value.slice(0, 10)) ? new Date(value) : null;
  if (!t || Number.isNaN(t.getTime())) {
    throw new BadRequestException({ message: `${field} must be an instant with a time zone, e.g. 2026-03-31T17:00:00Z`, field, rule: 'INSTANT' });
  }
  if (t.getTime() > Date.now()) throw new BadRequestException({ message: `${field} must not be in the future`, field, rule: 'NOT_IN_FUTURE' });
  return t;
}
