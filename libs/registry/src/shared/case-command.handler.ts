import { CaseCommand, caseDecider, CaseEvent, CaseState, childDecider, childStreamId, RegistryError } from '@childledger/domain';
import { Actor, loadState } from '@childledger/event-store';
import { DeciderCommandHandler } from '@childledger/platform';
import type { CaseRegistryCommand, RegistryCommandResult } from './registry-command';
import type { RegistryHandlerDeps } from './registry-handler.deps';
import { runRegistryCommand } from './run-registry-command';

/**
 * A command on a protection case's stream. A case belongs to the jurisdiction of its child's
 * residence: the handler finds the child (from the command when opening, from the case otherwise),
 * checks the user's jurisdiction over it, then runs the case decider.
 */
export abstract class CaseCommandHandler<C extends CaseRegistryCommand<CaseCommand>>
  extends DeciderCommandHandler<CaseCommand, CaseState, CaseEvent, C>{
  protected constructor(protected readonly deps: RegistryHandlerDeps) {
    super(deps.store, caseDecider);
  }

  override async execute(envelope: C): Promise<RegistryCommandResult<CaseEvent>> {
    const { user } = envelope.request;
    this.deps.policy.requireRole(user, envelope.command.type);
    const childId = await this.childOf(envelope);
    const child = (await loadState(this.store, childStreamId(childId), childDecider)).state;
    if (child.status === 'unregistered') throw new RegistryError('CHILD_NOT_FOUND', `no child ${childId} is registered`, 'childId');
    const unit = this.deps.policy.authorize(user, child.residence);
    if (envelope.command.type === 'OpenCase') {
      if (child.status === 'merged') {
        throw new RegistryError('RECORD_MERGED', `the record was merged into ${child.survivingChildId}`, 'childId', {
          survivingChildId: child.survivingChildId,
        });
      }
      if (child.status === 'erased') throw new RegistryError('RECORD_ERASED', "the child's personal data was erased; the record is closed", 'childId');
    }
    const actor: Actor = { userId: user.userId, role: user.role, ...(unit === undefined ? {} : { unit }) };
    return runRegistryCommand(this.deps, envelope, this.decider, actor, this.maxRetries, { expectNewStream: envelope.command.type === 'OpenCase' });
  }

  private async childOf(envelope: C): Promise<string> {
    if (envelope.command.type === 'OpenCase') {
      const { childId } = envelope.command.data;
      if (typeof childId !== 'string' || childId.trim() === '') throw new RegistryError('INVALID_INPUT', 'childId is required', 'childId');
      return childId;
    }
    const { state } = await loadState(this.store, envelope.streamId, this.decider);
    if (state.status === 'none') throw new RegistryError('CASE_NOT_FOUND', 'no case is open in this stream', 'caseId');
    return state.childId;
  }
}
