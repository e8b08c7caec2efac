import type { ChildCommandContext, RevertMerge } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Reverts a merge. */
export class RevertMergeCommand extends ChildRegistryCommand<RevertMerge> {
  constructor(childId: string, data: RevertMerge['data'], request: RequestContext, context: ChildCommandContext) {
    super('RevertMerge', childId, data, request, context);
  }
}
