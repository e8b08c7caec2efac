import { caseDecider, caseStreamId, childDecider, childStreamId, OpenedCaseState, RegisteredChildState, RegistryError, Residence } from '@childledger/domain';
import { EventStore, loadState } from '@childledger/event-store';
import { AuthenticatedUser, CASE_CONTENT_ROLES } from '@childledger/platform';
import { AccessDeniedError, AccessPolicy, READ_ROLES, requireRoleIn } from '../shared/access-policy';

export interface Revisioned<State> {
  state: State;
  /** Revision of the stream's last event: the ETag, and the next `If-Match`. */
  revision: number;
}

/**
 * Current state of a child or a case, folded from its stream (the write side's own view; read
 * models for lists and searches belong to the projector and the query API).
 *
 * The read policy (docs/architecture.md): the role is checked first (a refusal names the rule);
 * then a record outside the caller's jurisdiction is answered exactly like one that does not exist,
 * so that a refusal never tells where a child lives or that a record exists. The caller states a
 * purpose and writes the read audit (`ReadAuditWriter`) before returning what this gives.
 */
export class RegistryReader {
  constructor(
    private readonly store: EventStore,
    private readonly policy: AccessPolicy,
  ) {}

  async child(childId: string, user: AuthenticatedUser): Promise<Revisioned<RegisteredChildState>> {
    requireRoleIn(user, READ_ROLES, 'read child records');
    const notFound = () => new RegistryError('CHILD_NOT_FOUND', `no child ${childId} is registered`, 'childId');
    const { state, revision } = await loadState(this.store, childStreamId(childId), childDecider);
    if (state.status === 'unregistered') throw notFound();
    if (!this.mayRead(user, state.residence)) throw notFound();
    return { state, revision };
  }

  /** A case's content: case workers, inspectors and admins only (`CASE_CONTENT_ROLES`, the one table for every service). */
  async case(caseId: string, user: AuthenticatedUser): Promise<Revisioned<OpenedCaseState>> {
    requireRoleIn(user, CASE_CONTENT_ROLES, 'read protection cases');
    const notFound = () => new RegistryError('CASE_NOT_FOUND', `no case ${caseId} is open`, 'caseId');
    const { state, revision } = await loadState(this.store, caseStreamId(caseId), caseDecider);
    if (state.status === 'none') throw notFound();
    const child = (await loadState(this.store, childStreamId(state.childId), childDecider)).state;
    if (child.status === 'unregistered' || !this.mayRead(user, child.residence)) throw notFound();
    return { state, revision };
  }

  /** Whether the user's jurisdiction covers a child living there (the write side's own check, without its refusal). */
  private mayRead(user: AuthenticatedUser, residence: Residence): boolean {
    try {
      this.policy.authorize(user, residence);
      return true;
    } catch (err) {
      if (err instanceof AccessDeniedError && err.reason === 'jurisdiction') return false;
      throw err;
    }
  }
}
