import type { ChildCommandContext, IdentifySpecialCircumstance } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** The child entered a group of special circumstances (Law on Children, Art. 10). */
export class IdentifySpecialCircumstanceCommand extends ChildRegistryCommand<IdentifySpecialCircumstance> {
  constructor(childId: string, data: IdentifySpecialCircumstance['data'], request: RequestContext, context: ChildCommandContext) {
    super('IdentifySpecialCircumstance', childId, data, request, context);
  }
}
