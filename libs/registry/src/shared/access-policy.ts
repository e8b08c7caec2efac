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
};

/** Everyone with a role may read the records of their jurisdiction (inspectors above all). */
export const READ_ROLES: readonly Role[] = ['data_officer', 'case_worker', 'inspector', 'admin'];
export const IMPORT_ROLES: readonly Role[] = ['data_officer', 'admin'];

/** The user may not do this: wrong role, or a record outside their jurisdiction. Transports answer 403. */
export class AccessDeniedError extends Error {
  constructor(
    readonly reason: 'role' | 'jurisdiction',
    message: string,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** The units a residence stands for today: its commune code(s) in force now and their provinces. */
export interface ResidenceUnits {
  pairs: { communeCode: string; provinceCode: string }[];
}

/**
 * Role and jurisdiction checks. A record belongs to the commune of the child's residence (and its
 * province); a residence recorded before the 2025 reorganisation is read through the old→new
 * mapping, since tokens name the units in force today.
 */
export class AccessPolicy {
  constructor(private readonly units: AdministrativeUnits) {}

  requireRole(user: AuthenticatedUser, command: RegistryCommandType): void {
    requireRoleIn(user, COMMAND_ROLES[command], command);
  }

  /** The commune(s) and province(s) in force today for a residence. */
  unitsOf(residence: Residence): ResidenceUnits {
    const codes = this.units.currentCodesFor(residence.communeCode, { recordedOn: residence.effectiveFrom });
    const pairs = codes.flatMap((communeCode) => {
      const provinceCode = this.units.provinceOfCommune(communeCode, REFORM_DATE);
      return provinceCode ? [{ communeCode, provinceCode }] : [];
    });
    return { pairs };
  }

  /**
   * Throws unless the user may act on a child living there; returns the unit the user acts for
   * (their commune, their province, or undefined for an admin), recorded as the actor's unit.
   */
  authorize(user: AuthenticatedUser, residence: Residence): string | undefined {
    if (user.role === 'admin') return undefined;
    for (const unit of this.unitsOf(residence).pairs) {
      if (!canActOn(user, unit)) continue;
      return user.communes.includes(unit.communeCode) ? unit.communeCode : unit.provinceCode;
    }
    throw new AccessDeniedError('jurisdiction', `the child lives in commune ${residence.communeCode}, outside your jurisdiction`);
  }
}

export function requireRoleIn(user: AuthenticatedUser, roles: readonly Role[], what: string): void {
  if (!roles.includes(user.role)) {
    throw new AccessDeniedError('role', `role ${user.role} may not ${what} (allowed: ${roles.join(', ')})`);
  }
}
