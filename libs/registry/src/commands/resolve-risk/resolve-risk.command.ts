import type { ChildCommandContext, ResolveRisk } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** An identified risk was resolved. */
export class ResolveRiskCommand extends ChildRegistryCommand<ResolveRisk> {
  constructor(childId: string, data: ResolveRisk['data'], request: RequestContext, context: ChildCommandContext) {
    super('ResolveRisk', childId, data, request, context);
  }
}
