import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { RevertMergeCommand } from './revert-merge.command';

@CommandHandler(RevertMergeCommand)
export class RevertMergeHandler extends ChildCommandHandler<RevertMergeCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
