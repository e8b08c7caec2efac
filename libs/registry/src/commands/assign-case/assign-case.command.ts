import type { AssignCase, CaseCommandContext } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Gives a case to a case worker, or takes it from its holder to another (CaseAssigned). */
export class AssignCaseCommand extends CaseRegistryCommand<AssignCase> {
  constructor(caseId: string, data: AssignCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('AssignCase', caseId, data, request, context);
  }
}
