import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { UnlinkNationalIdCommand } from './unlink-national-id.command';

@CommandHandler(UnlinkNationalIdCommand)
export class UnlinkNationalIdHandler extends ChildCommandHandler<UnlinkNationalIdCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
