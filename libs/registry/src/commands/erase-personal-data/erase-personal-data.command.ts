import type { ChildCommandContext, ErasePersonalData } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Makes the child's personal data unreadable; the record takes no further command. */
export class ErasePersonalDataCommand extends ChildRegistryCommand<ErasePersonalData> {
  constructor(childId: string, data: ErasePersonalData['data'], request: RequestContext, context: ChildCommandContext) {
    super('ErasePersonalData', childId, data, request, context);
  }
}
