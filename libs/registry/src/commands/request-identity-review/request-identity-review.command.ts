import type { ChildCommandContext, RequestIdentityReview } from '@childledger/domain';
import { ChildRegistryCommand, RequestContext } from '../../shared/registry-command';

/** Asks a data officer to decide which national record, if any, is this child. */
export class RequestIdentityReviewCommand extends ChildRegistryCommand<RequestIdentityReview> {
  constructor(childId: string, data: RequestIdentityReview['data'], request: RequestContext, context: ChildCommandContext) {
    super('RequestIdentityReview', childId, data, request, context);
  }
}
