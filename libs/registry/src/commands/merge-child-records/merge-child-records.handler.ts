import { CommandHandler } from '@nestjs/cqrs';
import { childDecider, childStreamId, RegistryError } from '@childledger/domain';
import { loadState } from '@childledger/event-store';
import { ChildCommandHandler, childNotFound } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { MergeChildRecordsCommand } from './merge-child-records.command';

/**
 * The decider sees only the duplicate's stream; the surviving record must exist, be active, and be
 * in the user's jurisdiction too (a merge moves a child's history into it).
 */
@CommandHandler(MergeChildRecordsCommand)
export class MergeChildRecordsHandler extends ChildCommandHandler<MergeChildRecordsCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }

  protected override async precheck(envelope: MergeChildRecordsCommand): Promise<void> {
    const { survivingChildId } = envelope.command.data;
    if (typeof survivingChildId !== 'string' || survivingChildId === envelope.targetId) return; // the decider names the problem
    const { state } = await loadState(this.store, childStreamId(survivingChildId), childDecider);
    // A surviving record outside the caller's jurisdiction is answered exactly as a missing one,
    // before anything about its state (merged, erased) is said.
    if (state.status === 'unregistered' || !this.deps.policy.jurisdiction(envelope.request.user, state.residence).allowed) {
      throw childNotFound('survivingChildId');
    }
    if (state.status === 'merged') {
      throw new RegistryError('RECORD_MERGED', `the surviving record was itself merged into ${state.survivingChildId}`, 'survivingChildId', {
        survivingChildId: state.survivingChildId,
      });
    }
    if (state.status === 'erased') throw new RegistryError('RECORD_ERASED', 'the surviving record was erased', 'survivingChildId');
  }
}
