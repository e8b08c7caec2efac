import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { AssessCaseCommand } from './assess-case.command';

@CommandHandler(AssessCaseCommand)
export class AssessCaseHandler extends CaseCommandHandler<AssessCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
