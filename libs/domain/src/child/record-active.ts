import { RegistryError } from '../shared/registry.error';
import type { ChildState, RegisteredChildState } from './child.state';

export interface RecordActiveOptions {
  /** The field that named the record (`childId`, `survivingChildId`...), for the error. */
  field?: string;
  /** A merged record is accepted (reverting a merge, erasing: it still holds the child's personal data). */
  allowMerged?: boolean;
}

/**
 * The one "record is active" guard: a registered child whose record is neither merged into another
 * (RECORD_MERGED, naming where it now lives) nor erased (RECORD_ERASED). The decider checks it
 * before every command on the record; the registry's handlers check it on the other records a
 * command touches (a case's child, a merge's surviving record).
 */
export function requireActiveRecord(state: ChildState, options: RecordActiveOptions = {}): RegisteredChildState {
  const field = options.field ?? 'childId';
  if (state.status === 'unregistered') throw new RegistryError('CHILD_NOT_FOUND', 'no child is registered under this id', field);
  if (state.status === 'merged' && !options.allowMerged) {
    throw new RegistryError('RECORD_MERGED', `the record was merged into ${state.survivingChildId}`, field, { survivingChildId: state.survivingChildId });
  }
  if (state.status === 'erased') throw new RegistryError('RECORD_ERASED', "the child's personal data was erased; the record is closed", field);
  return state;
}

/** The same test as a predicate: true for a registered record that is neither merged nor erased. */
export function isActiveRecord(state: ChildState): state is RegisteredChildState {
  return state.status === 'active';
}
