import type { CaseCommandContext, ReferCase } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Refers a case to another sector. */
export class ReferCaseCommand extends CaseRegistryCommand<ReferCase> {
  constructor(caseId: string, data: ReferCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('ReferCase', caseId, data, request, context);
  }
}
