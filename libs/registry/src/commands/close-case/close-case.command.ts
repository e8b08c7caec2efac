import type { CaseCommandContext, CloseCase } from '@childledger/domain';
import { CaseRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Closes a case with its outcome. */
export class CloseCaseCommand extends CaseRegistryCommand<CloseCase> {
  constructor(caseId: string, data: CloseCase['data'], request: RequestContext, context: CaseCommandContext) {
    super('CloseCase', caseId, data, request, context);
  }
}
