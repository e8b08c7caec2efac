import type { CaseCommandContext, AssessCase } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Records the initial assessment of a case. */
export class AssessCaseCommand extends CaseRegistryCommand<AssessCase> {
  constructor(caseId: string, data: AssessCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('AssessCase', caseId, data, request, context);
  }
}
