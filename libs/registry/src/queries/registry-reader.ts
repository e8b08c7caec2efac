import {
  caseDecider,
  caseStreamId,
  childDecider,
  childStreamId,
  OpenedCaseState,
  RegisteredChildState,
  RegistryError,
} from '@childledger/domain';
import { EventStore, loadState } from '@childledger/event-store';
import type { AuthenticatedUser } from '@childledger/platform';
import { AccessPolicy, READ_ROLES, requireRoleIn } from '../shared/access-policy';

export interface Revisioned<State> {
  state: State;
  /** Revision of the stream's last event: the ETag, and the next `If-Match`. */
  revision: number;
}

/**
 * Current state of a child or a case, folded from its stream (the write side's own view; read
 * models for lists and searches belong to the projector and the query API).
 */
export class RegistryReader {
  constructor(
    private readonly store: EventStore,
    private readonly policy: AccessPolicy,
  ) {}

  async child(childId: string, user: AuthenticatedUser): Promise<Revisioned<RegisteredChildState>> {
    requireRoleIn(user, READ_ROLES, 'read child records');
    const { state, revision } = await loadState(this.store, childStreamId(childId), childDecider);
    if (state.status === 'unregistered') throw new RegistryError('CHILD_NOT_FOUND', `no child ${childId} is registered`, 'childId');
    this.policy.authorize(user, state.residence);
    return { state, revision };
  }

  async case(caseId: string, user: AuthenticatedUser): Promise<Revisioned<OpenedCaseState>> {
    requireRoleIn(user, READ_ROLES, 'read protection cases');
    const { state, revision } = await loadState(this.store, caseStreamId(caseId), caseDecider);
    if (state.status === 'none') throw new RegistryError('CASE_NOT_FOUND', `no case ${caseId} is open`, 'caseId');
    const child = (await loadState(this.store, childStreamId(state.childId), childDecider)).state;
    if (child.status === 'unregistered') throw new RegistryError('CHILD_NOT_FOUND', `the case's child ${state.childId} is not registered`, 'childId');
    this.policy.authorize(user, child.residence);
    return { state, revision };
  }
}
