import { BadRequestException } from '@nestjs/common';
import type { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, Purpose, PURPOSES } from '@childledger/platform';

/**
 * The purpose of a look at the audit trail: the one stated (`?purpose=` or `X-Purpose`), else
 * `inspection` — the trail's routes are for inspectors and admins and exist for inspection (older
 * clients call them without one). A purpose that is not one of the list is a 400 naming `purpose`.
 */
export function trailPurpose(query: string | undefined, header: string | undefined): Purpose {
  const value = query || header;
  if (!value) return 'inspection';
  if (!(PURPOSES as readonly string[]).includes(value))
    throw new BadRequestException({ message: `purpose must be one of ${PURPOSES.join(', ')}`, field: 'purpose', rule: 'PURPOSE_UNKNOWN' });
  return value as Purpose;
}

/** The units an entry "about no child" must come from to be visible: the user's provinces and every commune in them, or their communes. */
export function unitsOfJurisdiction(user: AuthenticatedUser, units: AdministrativeUnits): string[] {
  if (user.communes.length > 0) return [...user.communes];
  const communes = units
    .unitsInForceOn(new Date())
    .communes.filter((c) => user.provinces.includes(c.provinceCode))
    .map((c) => c.code);
  return [...user.provinces, ...communes];
}

/** The names of the filters given (never their values: a name typed into a filter is personal data). */
export function filtersUsed(f: Record<string, unknown>): string {
  return (
    Object.entries(f)
      .filter(([k, v]) => v !== undefined && v !== '' && k !== 'after')
      .map(([k]) => k)
      .join(',') || 'all'
  );
}

/** What an inspection query was about, for the read audit: the child, else the actor, else the unit, else everything. */
export function subjectOf(f: { childId?: string; actorId?: string; unit?: string }): string {
  if (f.childId) return `child:${f.childId}`;
  if (f.actorId) return `actor:${f.actorId}`;
  if (f.unit) return `unit:${f.unit}`;
  return 'all';
}

/** The user's units as the read audit keeps them. */
export const userUnits = (user: AuthenticatedUser): string[] => (user.communes.length ? [...user.communes] : [...user.provinces]);
