import type { AuthenticatedUser } from './auth.types';

/**
 * Whether the user may act on something located in this unit. An admin may act everywhere;
 * commune-level staff only in their communes; province-level staff in their provinces.
 */
export function canActOn(user: AuthenticatedUser, unit: { provinceCode: string; communeCode?: string }): boolean {
  if (user.role === 'admin') return true;
  if (user.communes.length > 0) return unit.communeCode !== undefined && user.communes.includes(unit.communeCode);
  return user.provinces.includes(unit.provinceCode);
}
