import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { ReferCaseCommand } from './refer-case.command';

@CommandHandler(ReferCaseCommand)
export class ReferCaseHandler extends CaseCommandHandler<ReferCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
