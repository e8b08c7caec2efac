import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { AssignCaseCommand } from './assign-case.command';

@CommandHandler(AssignCaseCommand)
export class AssignCaseHandler extends CaseCommandHandler<AssignCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
