import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { PlanInterventionCommand } from './plan-intervention.command';

@CommandHandler(PlanInterventionCommand)
export class PlanInterventionHandler extends CaseCommandHandler<PlanInterventionCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
