import type { ChildCommandContext, RecordNoNationalRecord } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Records that no national record was found: a finding, not an error. */
export class RecordNoNationalRecordCommand extends ChildRegistryCommand<RecordNoNationalRecord> {
  constructor(childId: string, data: RecordNoNationalRecord['data'], request: RequestContext, context: ChildCommandContext) {
    super('RecordNoNationalRecord', childId, data, request, context);
  }
}
