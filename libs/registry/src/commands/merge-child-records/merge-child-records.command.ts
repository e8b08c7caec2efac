import type { ChildCommandContext, MergeChildRecords } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Merges a duplicate record (this stream) into a surviving one. */
export class MergeChildRecordsCommand extends ChildRegistryCommand<MergeChildRecords> {
  constructor(childId: string, data: MergeChildRecords['data'], request: RequestContext, context: ChildCommandContext) {
    super('MergeChildRecords', childId, data, request, context);
  }
}
