import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { ErasePersonalDataCommand } from './erase-personal-data.command';

@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler extends ChildCommandHandler<ErasePersonalDataCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
