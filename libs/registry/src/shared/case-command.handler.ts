import { CaseCommand, caseDecider, CaseEvent, CaseState, childDecider, childStreamId, RegistryError, requireActiveRecord } from '@childledger/domain';
import { Actor, loadState } from '@childledger/event-store';
import { DeciderCommandHandler } from '@childledger/platform';
import { childNotFound } from './child-command.handler';
import type { CaseRegistryCommand, RegistryCommandResult } from './registry-command';
import type { RegistryHandlerDeps } from './registry-handler.deps';
import { runRegistryCommand } from './run-registry-command';

/** What a case command on a case outside the caller's jurisdiction answers: exactly what a missing case answers. */
function caseNotFound(): RegistryError {
  return new RegistryError('CASE_NOT_FOUND', 'no case is open in this stream', 'caseId');
}

/**
 * A command on a protection case's stream. A case belongs to the jurisdiction of its child's
 * residence: the handler finds the child (from the command when opening, from the case otherwise),
 * checks the user's jurisdiction over it (outside it, the case or child answers as missing), then
 * runs the case decider. Opening a case needs an active record (the domain's guard).
 */
export abstract class CaseCommandHandler<C extends CaseRegistryCommand<CaseCommand>> extends DeciderCommandHandler<CaseCommand, CaseState, CaseEvent, C> {
  protected constructor(protected readonly deps: RegistryHandlerDeps) {
    super(deps.store, caseDecider);
  }

  override async execute(envelope: C): Promise<RegistryCommandResult<CaseEvent>> {
    const { user } = envelope.request;
    this.deps.policy.requireRole(user, envelope.command.type);
    const opening = envelope.command.type === 'OpenCase';
    const childId = await this.childOf(envelope);
    const child = (await loadState(this.store, childStreamId(childId), childDecider)).state;
    if (child.status === 'unregistered')
      throw opening ? childNotFound() : new RegistryError('CHILD_NOT_FOUND', `the case's child is not registered`, 'childId');
    const j = this.deps.policy.jurisdiction(user, child.residence);
    if (!j.allowed) throw opening ? childNotFound() : caseNotFound();
    if (opening) requireActiveRecord(child);
    const actor: Actor = { userId: user.userId, role: user.role, ...(j.unit === undefined ? {} : { unit: j.unit }) };
    return runRegistryCommand(this.deps, envelope, this.decider, actor, this.maxRetries, { expectNewStream: opening });
  }

  private async childOf(envelope: C): Promise<string> {
    if (envelope.command.type === 'OpenCase') {
      const { childId } = envelope.command.data;
      if (typeof childId !== 'string' || childId.trim() === '') throw new RegistryError('INVALID_INPUT', 'childId is required', 'childId');
      return childId;
    }
    const { state } = await loadState(this.store, envelope.streamId, this.decider);
    if (state.status === 'none') throw caseNotFound();
    return state.childId;
  }
}
