import type { CaseCommandContext, DeliverIntervention } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Records the delivery of a planned intervention. */
export class DeliverInterventionCommand extends CaseRegistryCommand<DeliverIntervention> {
  constructor(caseId: string, data: DeliverIntervention['data'], request: RequestContext, context: CaseCommandContext) {
    super('DeliverIntervention', caseId, data, request, context);
  }
}
