import type { ChildCommandContext, RegisterChild } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Registers a child: the first event of a `child-<id>` stream. */
export class RegisterChildCommand extends ChildRegistryCommand<RegisterChild> {
  constructor(childId: string, data: RegisterChild['data'], request: RequestContext, context: ChildCommandContext) {
    super('RegisterChild', childId, data, request, context);
  }
}
