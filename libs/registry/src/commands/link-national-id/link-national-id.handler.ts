import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { LinkNationalIdCommand } from './link-national-id.command';

@CommandHandler(LinkNationalIdCommand)
export class LinkNationalIdHandler extends ChildCommandHandler<LinkNationalIdCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
