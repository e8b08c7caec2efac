import { CASE_EVENT_TYPES, CaseEvent, CHILD_EVENT_TYPES, ChildEvent } from '@childledger/domain';
import type { RecordedEvent } from '@childledger/event-store';

/** An event's data as the log hands it to projections: the personal part is null once erased (the encrypting decorator masks it). */
type Masked<D> = D extends { personal: infer P } ? Omit<D, 'personal'> & { personal: P | null } : D;

/** A stored event typed by the domain's union: narrowing on `type` gives the data's fields, so a renamed field fails to compile here. */
export type Projected<E extends { type: string; data: unknown }> = E extends unknown ? RecordedEvent<E['type'], Masked<E['data']>> : never;

export type ProjectedChildEvent = Projected<ChildEvent>;
export type ProjectedCaseEvent = Projected<CaseEvent>;

const CHILD_TYPES: ReadonlySet<string> = new Set(CHILD_EVENT_TYPES);
const CASE_TYPES: ReadonlySet<string> = new Set(CASE_EVENT_TYPES);

/** The event as one of the domain's child events, or null for a type the domain does not define (the folds leave the record as it is). */
export function asChildEvent(e: RecordedEvent): ProjectedChildEvent | null {
  return CHILD_TYPES.has(e.type) ? (e as unknown as ProjectedChildEvent) : null;
}

/** The event as one of the domain's case events, or null. */
export function asCaseEvent(e: RecordedEvent): ProjectedCaseEvent | null {
  return CASE_TYPES.has(e.type) ? (e as unknown as ProjectedCaseEvent) : null;
}

/** A child or case event, or null: the folds that read both (a case's fold also hears of the child's erasure). */
export function asRegistryEvent(e: RecordedEvent): ProjectedChildEvent | ProjectedCaseEvent | null {
  return asChildEvent(e) ?? asCaseEvent(e);
}
