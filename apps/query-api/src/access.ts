import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { AuthenticatedUser, canActOn, Role } from '@childledger/platform';

export const ALL_ROLES: Role[] = ['data_officer', 'case_worker', 'inspector', 'admin'];
export const INSPECTION_ROLES: Role[] = ['inspector', 'admin'];
export const CASE_ROLES: Role[] = ['case_worker', 'inspector', 'admin'];
export const RECONCILIATION_ROLES: Role[] = ['data_officer', 'admin'];
export const REFERENCE_DATA_ROLES: Role[] = ['admin', 'inspector'];

/**
 * Roles that may see individual protection cases: case workers run them, inspectors inspect
 * them, admins administer. Data officers keep child records but not cases, so the indicators they
 * see have counts of 1–4 suppressed (docs/indicators.md).
 */
export const SEES_INDIVIDUAL_CASES: readonly Role[] = ['case_worker', 'inspector', 'admin'];

export const PURPOSES = ['case_work', 'reconciliation', 'inspection', 'statistics', 'data_correction'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The stated purpose of a read of personal data: `?purpose=` or the `X-Purpose` header. */
export function requirePurpose(query: string | undefined, header: string | undefined): Purpose {
  const value = query ?? header;
  if (value === undefined || value === '') {
    throw new BadRequestException({ message: `purpose is required to read personal data (query parameter purpose or header X-Purpose): one of ${PURPOSES.join(', ')}`, field: 'purpose' });
  }
  if (!(PURPOSES as readonly string[]).includes(value)) {
    throw new BadRequestException({ message: `purpose must be one of ${PURPOSES.join(', ')}`, field: 'purpose' });
  }
  return value as Purpose;
}

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

export function requireAccess(user: AuthenticatedUser, where: Located | undefined, what: string): void {
  if (!where) throw new NotFoundException(`${what} not found`);
  if (!mayAccess(user, where)) throw new ForbiddenException(`${what} is outside your jurisdiction`);
}

/** A unit code the user may ask about: a province of theirs, or one of their communes (a province officer: any commune of the province). */
export function requireUnitInJurisdiction(user: AuthenticatedUser, unitCode: string, provinceCode: string): void {
  if (user.role === 'admin') return;
  const ok = unitCode.length === 2 ? user.communes.length === 0 && user.provinces.includes(unitCode) : canActOn(user, { provinceCode, communeCode: unitCode });
  if (!ok) throw new ForbiddenException(`unit ${unitCode} is outside your jurisdiction`);
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function optionalDate(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) throw new BadRequestException({ message: `${field} must be a date YYYY-MM-DD`, field });
  return value;
}
