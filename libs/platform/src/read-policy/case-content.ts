import type { Role } from '../auth/auth.types';

/**
 * The one table of who may see a protection case's content (its record, notes, description, steps),
 * in every service: case workers run cases, inspectors inspect them, admins administer. Data
 * officers keep child records but not cases: they may know that a child has an open case (from
 * the child's record and the indicators, where counts of 1–4 are suppressed for them), not what is
 * in it.
 */
export const CASE_CONTENT_ROLES: readonly Role[] = ['case_worker', 'inspector', 'admin'];

export function maySeeCaseContent(role: Role): boolean {
  return CASE_CONTENT_ROLES.includes(role);
}
