import type { ChildCommandContext } from '../shared/context';
import type { IsoDate } from '../shared/dates';
import type { Sex } from '../personal-id/personal-id';
import type { IdentitySource, IncompleteField, RiskOutcome } from './child.events';

// Commands carry the context (clock, unit lists) so that `decide` stays pure. Numbers and enums are
// typed, but `decide` re-checks them: a command may come from JSON.

interface Command<Type extends string, Data> {
  type: Type;
  data: Data;
  context: ChildCommandContext;
}

export type RegisterChild = Command<
  'RegisterChild',
  {
    childId: string;
    fullName: string;
    dateOfBirth: IsoDate;
    /** Required unless `incomplete` holds `sex`. */
    sex?: Sex;
    personalId?: string;
    residence: { communeCode: string; effectiveFrom: IsoDate };
    /** Fields left as work to finish (imports): `sex` (then no sex), `personalId` (then `unverifiedPersonalId`, and no personalId). */
    incomplete?: IncompleteField[];
    /** The stated number that does not fit the child, kept aside (only with `incomplete` holding `personalId`). */
    unverifiedPersonalId?: string;
    motherName?: string;
    fatherName?: string;
    notes?: string;
  }
>;

export type CorrectChildDetails = Command<
  'CorrectChildDetails',
  {
    /** Only the fields to correct; `null` removes an optional field. */
    changes: {
      fullName?: string;
      dateOfBirth?: IsoDate;
      sex?: Sex;
      personalId?: string | null;
      motherName?: string | null;
      fatherName?: string | null;
      notes?: string | null;
    };
    reason: string;
  }
>;

export type ChangeResidence = Command<'ChangeResidence', { communeCode: string; effectiveFrom: IsoDate }>;

export type IdentifySpecialCircumstance = Command<'IdentifySpecialCircumstance', { group: number; effectiveFrom: IsoDate }>;
export type EndSpecialCircumstance = Command<'EndSpecialCircumstance', { group: number; effectiveTo: IsoDate; reason?: string }>;

export type IdentifyRisk = Command<'IdentifyRisk', { group: number; effectiveFrom: IsoDate; description?: string }>;
export type ResolveRisk = Command<'ResolveRisk', { group: number; effectiveTo: IsoDate; outcome: RiskOutcome }>;

export type LinkNationalId = Command<'LinkNationalId', { personalId: string; source: IdentitySource; matchScore?: number }>;
export type UnlinkNationalId = Command<'UnlinkNationalId', { reason: string }>;
export type RequestIdentityReview = Command<'RequestIdentityReview', { source: IdentitySource; reason: string; candidateCount?: number }>;
export type RecordNoNationalRecord = Command<'RecordNoNationalRecord', { source: IdentitySource }>;

/** Sent to the duplicate's stream. */
export type MergeChildRecords = Command<'MergeChildRecords', { survivingChildId: string; reason: string }>;
export type RevertMerge = Command<'RevertMerge', { reason: string }>;

export type ErasePersonalData = Command<'ErasePersonalData', { reason: string }>;

export type ChildCommand =
  | RegisterChild
  | CorrectChildDetails
  | ChangeResidence
  | IdentifySpecialCircumstance
  | EndSpecialCircumstance
  | IdentifyRisk
  | ResolveRisk
  | LinkNationalId
  | UnlinkNationalId
  | RequestIdentityReview
  | RecordNoNationalRecord
  | MergeChildRecords
  | RevertMerge
  | ErasePersonalData;

export type ChildCommandType = ChildCommand['type'];
