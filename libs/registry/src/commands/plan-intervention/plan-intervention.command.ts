import type { CaseCommandContext, PlanIntervention } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Plans a support or intervention service. */
export class PlanInterventionCommand extends CaseRegistryCommand<PlanIntervention> {
  constructor(caseId: string, data: PlanIntervention['data'], request: RequestContext, context: CaseCommandContext) {
    super('PlanIntervention', caseId, data, request, context);
  }
}
