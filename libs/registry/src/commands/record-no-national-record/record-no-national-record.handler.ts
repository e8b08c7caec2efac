import { CommandHandler } from '@nestjs/cqrs';
import { ChildCommandHandler } from '../../shared/child-command.handler';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { RecordNoNationalRecordCommand } from './record-no-national-record.command';

@CommandHandler(RecordNoNationalRecordCommand)
export class RecordNoNationalRecordHandler extends ChildCommandHandler<RecordNoNationalRecordCommand> {
  constructor(deps: RegistryHandlerDeps) {
    super(deps);
  }
}
