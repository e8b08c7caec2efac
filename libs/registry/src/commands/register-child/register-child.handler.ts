import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { RegisterChildCommand } from './register-child.command';

@CommandHandler(RegisterChildCommand)
export class RegisterChildHandler extends ChildCommandHandler<RegisterChildCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
