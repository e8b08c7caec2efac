import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { DeliverInterventionCommand } from './deliver-intervention.command';

@CommandHandler(DeliverInterventionCommand)
export class DeliverInterventionHandler extends CaseCommandHandler<DeliverInterventionCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
