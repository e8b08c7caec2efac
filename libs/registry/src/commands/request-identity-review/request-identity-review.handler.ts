import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { RequestIdentityReviewCommand } from './request-identity-review.command';

@CommandHandler(RequestIdentityReviewCommand)
export class RequestIdentityReviewHandler extends ChildCommandHandler<RequestIdentityReviewCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
