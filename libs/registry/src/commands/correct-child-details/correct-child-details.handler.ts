import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { CorrectChildDetailsCommand } from './correct-child-details.command';

@CommandHandler(CorrectChildDetailsCommand)
export class CorrectChildDetailsHandler extends ChildCommandHandler<CorrectChildDetailsCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
