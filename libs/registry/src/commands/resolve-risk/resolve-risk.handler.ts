import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { ResolveRiskCommand } from './resolve-risk.command';

@CommandHandler(ResolveRiskCommand)
export class ResolveRiskHandler extends ChildCommandHandler<ResolveRiskCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
