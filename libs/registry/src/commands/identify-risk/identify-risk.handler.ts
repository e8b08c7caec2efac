import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { IdentifyRiskCommand } from './identify-risk.command';

@CommandHandler(IdentifyRiskCommand)
export class IdentifyRiskHandler extends ChildCommandHandler<IdentifyRiskCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
