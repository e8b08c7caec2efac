import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { IdentifySpecialCircumstanceCommand } from './identify-special-circumstance.command';

@CommandHandler(IdentifySpecialCircumstanceCommand)
export class IdentifySpecialCircumstanceHandler extends ChildCommandHandler<IdentifySpecialCircumstanceCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
