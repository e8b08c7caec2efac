import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { CloseCaseCommand } from './close-case.command';

@CommandHandler(CloseCaseCommand)
export class CloseCaseHandler extends CaseCommandHandler<CloseCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
