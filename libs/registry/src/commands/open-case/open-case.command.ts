import type { CaseCommandContext, OpenCase } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Opens a protection case for a registered child. */
export class OpenCaseCommand extends CaseRegistryCommand<OpenCase> {
  constructor(caseId: string, data: OpenCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('OpenCase', caseId, data, request, context);
  }
}
