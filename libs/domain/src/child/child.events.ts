import type { DomainEvent } from '../shared/decider';
import type { IsoDate, IsoDateTime } from '../shared/dates';
import type { Sex } from '../personal-id/personal-id';

// Personal data (names, date of birth, personal ID, parents' names, free-text notes, and every
// free-text reason: an officer may write a name into it) sits under `data.personal` in every
// event, so an encryption layer can seal that one object per event (crypto-shredding on erasure).
// PERSONAL_FIELDS lists the paths. The one reason kept in clear is the erasure's legal reason,
// which must outlive the erasure it explains (and must not hold personal data).

/** A free-text reason, under the encrypted part of the event. */
export interface PersonalReason {
  reason: string;
}

/** Law on Children 2016, Art. 10: the 14 groups of special circumstances. */
export type SpecialCircumstanceGroup = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14;

export interface Residence {
  /** 5-digit commune code valid on `effectiveFrom`. */
  communeCode: string;
  effectiveFrom: IsoDate;
}

export interface ChildPersonalData {
  fullName: string;
  dateOfBirth: IsoDate;
  personalId?: string;
  motherName?: string;
  fatherName?: string;
  notes?: string;
  /**
   * A stated personal ID that contradicts the date of birth (often a parent's number in the child's
   * column), kept aside for reconciliation, never used as the child's: only with `incomplete` holding
   * `personalId`.
   */
  unverifiedPersonalId?: string;
}

/**
 * Fields a registration may leave as work to finish (an imported row with an empty sex, or with a
 * personal ID that does not fit the child): the child is registered, the field is listed in
 * `incomplete`, and a ChildDetailsCorrected of that field completes it.
 */
export const INCOMPLETE_FIELDS = ['sex', 'personalId'] as const;
export type IncompleteField = (typeof INCOMPLETE_FIELDS)[number];

/** `sex` is absent only when `incomplete` holds `sex`; `incomplete` is absent on a complete record. */
export type ChildRegistered = DomainEvent<
  'ChildRegistered',
  { childId: string; sex?: Sex; incomplete?: IncompleteField[]; residence: Residence; registeredAt: IsoDateTime; personal: ChildPersonalData }
>;

/** Only the corrected fields are present; `null` removes an optional field. */
export type ChildDetailsCorrected = DomainEvent<
  'ChildDetailsCorrected',
  {
    childId: string;
    correctedFields: CorrectableField[];
    sex?: Sex;
    personal: {
      fullName?: string;
      dateOfBirth?: IsoDate;
      personalId?: string | null;
      motherName?: string | null;
      fatherName?: string | null;
      notes?: string | null;
      /** Why (free text): not a corrected field. */
      reason: string;
    };
    correctedAt: IsoDateTime;
  }
>;

export type CorrectableField = 'fullName' | 'dateOfBirth' | 'sex' | 'personalId' | 'motherName' | 'fatherName' | 'notes';

export type ResidenceChanged = DomainEvent<
  'ResidenceChanged',
  { childId: string; communeCode: string; effectiveFrom: IsoDate; previousCommuneCode: string; recordedAt: IsoDateTime }
>;

export type SpecialCircumstanceIdentified = DomainEvent<
  'SpecialCircumstanceIdentified',
  { childId: string; group: SpecialCircumstanceGroup; effectiveFrom: IsoDate; recordedAt: IsoDateTime }
>;

export type SpecialCircumstanceEnded = DomainEvent<
  'SpecialCircumstanceEnded',
  { childId: string; group: SpecialCircumstanceGroup; effectiveTo: IsoDate; recordedAt: IsoDateTime; personal: { reason?: string } }
>;

/** The child is at risk of falling into a group of special circumstances (Art. 10). */
export type RiskIdentified = DomainEvent<
  'RiskIdentified',
  { childId: string; group: SpecialCircumstanceGroup; effectiveFrom: IsoDate; recordedAt: IsoDateTime; personal: { description?: string } }
>;

export const RISK_OUTCOMES = ['removed_from_risk', 'entered_special_circumstance', 'no_longer_applicable'] as const;
export type RiskOutcome = (typeof RISK_OUTCOMES)[number];

export type RiskResolved = DomainEvent<
  'RiskResolved',
  { childId: string; group: SpecialCircumstanceGroup; effectiveTo: IsoDate; outcome: RiskOutcome; recordedAt: IsoDateTime }
>;

export const IDENTITY_SOURCES = ['officer', 'identity_adapter'] as const;
export type IdentitySource = (typeof IDENTITY_SOURCES)[number];

export type NationalIdLinked = DomainEvent<
  'NationalIdLinked',
  { childId: string; source: IdentitySource; matchScore?: number; linkedAt: IsoDateTime; personal: { personalId: string } }
>;

export type NationalIdUnlinked = DomainEvent<
  'NationalIdUnlinked',
  { childId: string; unlinkedAt: IsoDateTime; personal: { personalId: string; reason: string } }
>;

export type IdentityReviewRequested = DomainEvent<
  'IdentityReviewRequested',
  { childId: string; source: IdentitySource; candidateCount?: number; requestedAt: IsoDateTime; personal: PersonalReason }
>;

/** A finding, not an error: no resident in the national population database matched. */
export type NoNationalRecordFound = DomainEvent<'NoNationalRecordFound', { childId: string; source: IdentitySource; checkedAt: IsoDateTime }>;

/** Appended to the duplicate's stream; the record now lives at `survivingChildId`. */
export type ChildRecordsMerged = DomainEvent<
  'ChildRecordsMerged',
  { childId: string; survivingChildId: string; mergedAt: IsoDateTime; personal: PersonalReason }
>;

export type ChildRecordsMergeReverted = DomainEvent<
  'ChildRecordsMergeReverted',
  { childId: string; survivingChildId: string; revertedAt: IsoDateTime; personal: PersonalReason }
>;

/**
 * From here on the record's personal data is unreadable (its key is destroyed) and the record is
 * closed. The legal reason stays in clear, for auditors, after the erasure: it must not hold
 * personal data (the endpoint says so).
 */
export type ChildPersonalDataErased = DomainEvent<'ChildPersonalDataErased', { childId: string; reason: string; erasedAt: IsoDateTime }>;

export type ChildEvent =
  | ChildRegistered
  | ChildDetailsCorrected
  | ResidenceChanged
  | SpecialCircumstanceIdentified
  | SpecialCircumstanceEnded
  | RiskIdentified
  | RiskResolved
  | NationalIdLinked
  | NationalIdUnlinked
  | IdentityReviewRequested
  | NoNationalRecordFound
  | ChildRecordsMerged
  | ChildRecordsMergeReverted
  | ChildPersonalDataErased;

export type ChildEventType = ChildEvent['type'];

export const CHILD_EVENT_TYPES = [
  'ChildRegistered',
  'ChildDetailsCorrected',
  'ResidenceChanged',
  'SpecialCircumstanceIdentified',
  'SpecialCircumstanceEnded',
  'RiskIdentified',
  'RiskResolved',
  'NationalIdLinked',
  'NationalIdUnlinked',
  'IdentityReviewRequested',
  'NoNationalRecordFound',
  'ChildRecordsMerged',
  'ChildRecordsMergeReverted',
  'ChildPersonalDataErased',
] as const satisfies readonly ChildEventType[];

export const childStreamId = (childId: string): string => `child-${childId}`;
