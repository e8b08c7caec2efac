import type { CaseCommandContext, ReopenCase } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Reopens a closed case. */
export class ReopenCaseCommand extends CaseRegistryCommand<ReopenCase> {
  constructor(caseId: string, data: ReopenCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('ReopenCase', caseId, data, request, context);
  }
}
