import type { CaseCommandContext, ReviewCase } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Reviews a case after interventions. */
export class ReviewCaseCommand extends CaseRegistryCommand<ReviewCase> {
  constructor(caseId: string, data: ReviewCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('ReviewCase', caseId, data, request, context);
  }
}
