import type { ChildCommandContext, IdentifyRisk } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** The child is at risk of falling into a group of special circumstances. */
export class IdentifyRiskCommand extends ChildRegistryCommand<IdentifyRisk> {
  constructor(childId: string, data: IdentifyRisk['data'], request: RequestContext, context: ChildCommandContext) {
    super('IdentifyRisk', childId, data, request, context);
  }
}
