import { CommandHandler } from '@nestjs/cqrs';
import { CaseCommandHandler } from '../../shared/case-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { ReviewCaseCommand } from './review-case.command';

@CommandHandler(ReviewCaseCommand)
export class ReviewCaseHandler extends CaseCommandHandler<ReviewCaseCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
