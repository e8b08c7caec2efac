import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { ChangeResidenceCommand } from './change-residence.command';

@CommandHandler(ChangeResidenceCommand)
export class ChangeResidenceHandler extends ChildCommandHandler<ChangeResidenceCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
