import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { OpenCaseCommand } from './open-case.command';

@CommandHandler(OpenCaseCommand)
export class OpenCaseHandler extends CaseCommandHandler<OpenCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
