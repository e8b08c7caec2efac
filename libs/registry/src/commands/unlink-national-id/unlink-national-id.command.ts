import type { ChildCommandContext, UnlinkNationalId } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Removes a wrong link to the national population database. */
export class UnlinkNationalIdCommand extends ChildRegistryCommand<UnlinkNationalId> {
  constructor(childId: string, data: UnlinkNationalId['data'], request: RequestContext, context: ChildCommandContext) {
    super('UnlinkNationalId', childId, data, request, context);
  }
}
