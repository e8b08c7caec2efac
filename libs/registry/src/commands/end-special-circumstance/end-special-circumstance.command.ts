import type { ChildCommandContext, EndSpecialCircumstance } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** The child left a group of special circumstances. */
export class EndSpecialCircumstanceCommand extends ChildRegistryCommand<EndSpecialCircumstance> {
  constructor(childId: string, data: EndSpecialCircumstance['data'], request: RequestContext, context: ChildCommandContext) {
    super('EndSpecialCircumstance', childId, data, request, context);
  }
}
