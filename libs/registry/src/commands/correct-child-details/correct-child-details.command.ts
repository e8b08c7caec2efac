import type { ChildCommandContext, CorrectChildDetails } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Corrects personal details; the reason is recorded with the event. */
export class CorrectChildDetailsCommand extends ChildRegistryCommand<CorrectChildDetails> {
  constructor(childId: string, data: CorrectChildDetails['data'], request: RequestContext, context: ChildCommandContext) {
    super('CorrectChildDetails', childId, data, request, context);
  }
}
