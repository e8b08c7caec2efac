import type { IsoDate, IsoDateTime } from '../shared/dates';
import type { Sex } from '../personal-id/personal-id';
import type { IncompleteField, Residence, SpecialCircumstanceGroup } from './child.events';

export type ChildStatus = 'active' | 'merged' | 'erased';

export interface RegisteredChildState {
  status: ChildStatus;
  childId: string;
  /** Absent only while `incomplete` holds `sex`. */
  sex?: Sex;
  /** Fields left as work to finish at registration, until corrected (absent or empty: complete). */
  incomplete?: readonly IncompleteField[];
  registeredAt: IsoDateTime;
  residence: Residence;
  /** Personal fields; all undefined once erased. */
  fullName?: string;
  dateOfBirth?: IsoDate;
  /** The number stated on the record (may be unverified). */
  personalId?: string;
  motherName?: string;
  fatherName?: string;
  notes?: string;
  /** A stated number that did not fit the child, kept aside for reconciliation while `incomplete` holds `personalId`. */
  unverifiedPersonalId?: string;
  /** The number confirmed against the national population database. */
  nationalId?: string;
  identity: 'unchecked' | 'linked' | 'review_requested' | 'no_national_record';
  /** Active special circumstances: group → since. */
  circumstances: Readonly<Partial<Record<SpecialCircumstanceGroup, IsoDate>>>;
  /** Active risks: group the child is at risk of → since. */
  risks: Readonly<Partial<Record<SpecialCircumstanceGroup, IsoDate>>>;
  /** Set while merged. */
  survivingChildId?: string;
}

export type ChildState = { status: 'unregistered' } | RegisteredChildState;
