import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { EndSpecialCircumstanceCommand } from './end-special-circumstance.command';

@CommandHandler(EndSpecialCircumstanceCommand)
export class EndSpecialCircumstanceHandler extends ChildCommandHandler<EndSpecialCircumstanceCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
