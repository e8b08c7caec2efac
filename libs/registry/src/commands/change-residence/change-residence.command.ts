import type { ChildCommandContext, ChangeResidence } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Records a move to another commune. */
export class ChangeResidenceCommand extends ChildRegistryCommand<ChangeResidence> {
  constructor(childId: string, data: ChangeResidence['data'], request: RequestContext, context: ChildCommandContext) {
    super('ChangeResidence', childId, data, request, context);
  }
}
