import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { ReopenCaseCommand } from './reopen-case.command';

@CommandHandler(ReopenCaseCommand)
export class ReopenCaseHandler extends CaseCommandHandler<ReopenCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
