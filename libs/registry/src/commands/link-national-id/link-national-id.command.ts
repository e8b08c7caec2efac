import type { ChildCommandContext, LinkNationalId } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Links the record to a personal ID of the national population database. */
export class LinkNationalIdCommand extends ChildRegistryCommand<LinkNationalId> {
  constructor(childId: string, data: LinkNationalId['data'], request: RequestContext, context: ChildCommandContext) {
    super('LinkNationalId', childId, data, request, context);
  }
}
