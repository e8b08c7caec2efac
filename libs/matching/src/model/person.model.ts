import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';

export type Sex = 'M' | 'F';

/** A date of birth as stated; a spreadsheet may give only the month and year, or only the year. */
export interface StatedDate {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
}

/** A child record as a data officer stated it (the "records" side of matching). */
export interface ChildRecordInput {
  readonly recordRef: string;
  readonly fullName: string;
  readonly dateOfBirth?: StatedDate;
  readonly sex?: Sex;
  readonly personalId?: string;
  readonly fatherFullName?: string;
  readonly motherFullName?: string;
  /** A 5-digit commune code (old or new) or a commune name. */
  readonly commune?: string;
  readonly district?: string;
  /** A 2-digit province code (old or new) or a province name. */
  readonly province?: string;
}

/** A resident of the national population database (the registry side); formats.md "Residents". */
export interface ResidentInput {
  readonly personalId: string;
  readonly fullName: string;
  readonly sex?: Sex;
  /** `YYYY-MM-DD` */
  readonly dateOfBirth?: string;
  readonly birthRegistrationProvinceCode?: string;
  readonly residenceCommuneCode?: string;
  readonly fatherFullName?: string;
  readonly motherFullName?: string;
  readonly fatherPersonalId?: string;
  readonly motherPersonalId?: string;
}

/** Either side after normalisation: what the comparisons and blocking rules read. */
export interface PreparedPerson {
  readonly name: VietnameseNameParts;
  readonly dob?: StatedDate;
  readonly sex?: Sex;
  readonly personalId?: string;
  readonly father?: VietnameseNameParts;
  readonly mother?: VietnameseNameParts;
  /** Current (post-2025) commune codes this person's place can stand for. */
  readonly communes: readonly string[];
  /** True when `communes` came from an old code split between several new communes. */
  readonly communeSplit: boolean;
  /** Current province codes. */
  readonly provinces: readonly string[];
  readonly fatherPersonalId?: string;
  readonly motherPersonalId?: string;
  /** Record side only: the stated ID contradicts the stated birth year or sex. */
  readonly idInconsistency?: string;
}

export interface PreparedRecord extends PreparedPerson {
  readonly recordRef: string;
  /**
   * The record as the typist meant it when a name was typed with the Vietnamese input method off
   * (Telex "Nguyeenx Thij Mai", VNI "Nguye6n4 Thi5 Mai"): the same record with the decoded names.
   * Blocking probes every reading and each name comparison takes the best one, so a plain name that
   * merely looks typed ("Ksor") still agrees as written. Absent when no name decodes differently.
   */
  readonly readings?: readonly PreparedRecord[];
}

export interface PreparedResident extends PreparedPerson {
  readonly personalId: string;
}
