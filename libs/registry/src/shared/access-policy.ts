import { AdministrativeUnits, REFORM_DATE } from '@childledger/admin-units';
import type { CaseCommandType, ChildCommandType, Residence } from '@childledger/domain';
import { AuthenticatedUser, canActOn, Role } from '@childledger/platform';

export type RegistryCommandType = ChildCommandType | CaseCommandType;

/**
 * Which roles may send each command. Data officers keep child records; case workers run protection
 * cases and may record a risk they find; inspectors only read; erasing personal data is for an admin.
 * Controllers declare the same lists with `@Roles`, and handlers check them again so that every
 * entry point (HTTP, import, CLI) obeys one table.
 */
export const COMMAND_ROLES: Readonly<Record<RegistryCommandType, readonly Role[]>> = {
  RegisterChild: ['data_officer', 'admin'],
  CorrectChildDetails: ['data_officer', 'admin'],
  ChangeResidence: ['data_officer', 'admin'],
  IdentifySpecialCircumstance: ['data_officer', 'admin'],
  EndSpecialCircumstance: ['data_officer', 'admin'],
  IdentifyRisk: ['data_officer', 'case_worker', 'admin'],
  ResolveRisk: ['data_officer', 'case_worker', 'admin'],
  LinkNationalId: ['data_officer', 'admin'],
  UnlinkNationalId: ['data_officer', 'admin'],
  RequestIdentityReview: ['data_officer', 'admin'],
  RecordNoNationalRecord: ['data_officer', 'admin'],
  MergeChildRecords: ['data_officer', 'admin'],
  RevertMerge: ['data_officer', 'admin'],
  ErasePersonalData: ['admin'],
  OpenCase: ['case_worker', 'admin'],
  AssessCase: ['case_worker', 'admin'],
  PlanIntervention: ['case_worker', 'admin'],
  DeliverIntervention: ['case_worker', 'admin'],
  ReferCase: ['case_worker', 'admin'],
  ReviewCase: ['case_worker', 'admin'],
  CloseCase: ['case_worker', 'admin'],
  ReopenCase: ['case_worker', 'admin'],
  AssignCase: ['case_worker', 'admin'],
};

/** Everyone with a role may read the records of their jurisdiction (inspectors above all). */
export const READ_ROLES: readonly Role[] = ['data_officer', 'case_worker', 'inspector', 'admin'];
export const IMPORT_ROLES: readonly Role[] = ['data_officer', 'admin'];

/**
 * The user may not do this: wrong role, or a registration outside their jurisdiction. Transports
 * answer 403. The message names the rule, never a record's unit, name or existence: a command on an
 * existing record outside the jurisdiction is answered as if the record did not exist (the handlers
 * throw CHILD_NOT_FOUND / CASE_NOT_FOUND), as reads are.
 */
export class AccessDeniedError extends Error {
  constructor(
    readonly reason: 'role' | 'jurisdiction',
    message: string,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** The rule a registration outside the jurisdiction breaks, as refusals state it. */
export const JURISDICTION_RULE = 'a child may be registered only in your jurisdiction (one of your communes, or a commune of your province)';

/** The units a residence stands for today: its commune code(s) in force now and their provinces. */
export interface ResidenceUnits {
  pairs: { communeCode: string; provinceCode: string }[];
}

/** Whether a user may act on a record, and the unit they act for (undefined for an admin). */
export type Jurisdiction = { allowed: true; unit: string | undefined } | { allowed: false };

/**
 * Role and jurisdiction checks. A record belongs to the commune of the child's residence (and its
 * province); a residence recorded before the 2025 reorganisation is read through the old→new
 * mapping, since tokens name the units in force today (provinces as of REFORM_DATE, from
 * @childledger/admin-units).
 */
export class AccessPolicy {
  constructor(private readonly units: AdministrativeUnits) {}

  requireRole(user: AuthenticatedUser, command: RegistryCommandType): void {
    requireRoleIn(user, COMMAND_ROLES[command], command);
  }

  /** The commune(s) and province(s) in force today for a residence. */
  unitsOf(residence: Residence): ResidenceUnits {
    const codes = this.units.currentCodesFor(residence.communeCode, { recordedOn: residence.effectiveFrom });
    return { pairs: this.pairsOf(codes) };
  }

  /** Whether the user may act on a child living there, and for which unit (their commune, their province, none for an admin). */
  jurisdiction(user: AuthenticatedUser, residence: Residence): Jurisdiction {
    if (user.role === 'admin') return { allowed: true, unit: undefined };
    return this.firstUnit(user, this.unitsOf(residence).pairs);
  }

  /** The same for a commune code as read models store it (current codes, or an old code mapped forward). */
  mayActOnCommune(user: AuthenticatedUser, communeCode: string): boolean {
    if (user.role === 'admin') return true;
    return this.firstUnit(user, this.pairsOf(this.units.currentCodesFor(communeCode))).allowed;
  }

  /**
   * Throws AccessDeniedError (naming the rule only) unless the user may act on a child living
   * there; returns the unit the user acts for, recorded as the actor's unit. For a residence the
   * caller states (a registration); for a record that exists, use `jurisdiction` and answer as if
   * it did not exist.
   */
  authorize(user: AuthenticatedUser, residence: Residence): string | undefined {
    const j = this.jurisdiction(user, residence);
    if (!j.allowed) throw new AccessDeniedError('jurisdiction', `outside your jurisdiction: ${JURISDICTION_RULE}`);
    return j.unit;
  }

  private pairsOf(codes: readonly string[]): ResidenceUnits['pairs'] {
    return codes.flatMap((communeCode) => {
      const provinceCode = this.units.provinceOfCommune(communeCode, REFORM_DATE);
      return provinceCode ? [{ communeCode, provinceCode }] : [];
    });
  }

  private firstUnit(user: AuthenticatedUser, pairs: ResidenceUnits['pairs']): Jurisdiction {
    for (const unit of pairs) {
      if (!canActOn(user, unit)) continue;
      return { allowed: true, unit: user.communes.includes(unit.communeCode) ? unit.communeCode : unit.provinceCode };
    }
    return { allowed: false };
  }
}

export function requireRoleIn(user: AuthenticatedUser, roles: readonly Role[], what: string): void {
  if (!roles.includes(user.role)) {
    throw new AccessDeniedError('role', `role ${user.role} may not ${what} (allowed: ${roles.join(', ')})`);
  }
}
