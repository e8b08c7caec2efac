import { Module } from '@nestjs/common';
import { ReconciliationController } from './reconciliation.controller';
import { CommandResponder } from '../http/command-responder';
import { ReconciliationHandlers } from './reconciliation.handlers';
import { DuplicatesController } from './duplicates/duplicates.controller';
import { DuplicatesService } from './duplicates/duplicates.service';
import { DuplicatesSubscription } from './duplicates/duplicates.subscription';
import { IdentityReviewsController } from './reviews/identity-reviews.controller';
import { IdentityReviewsService } from './reviews/identity-reviews.service';

/** Identity reviews, unlinks, duplicates and merges (issue 4). Uses the platform's EVENT_STORE and PG_POOL and the (global) RegistryModule's command core. */
@Module({
  controllers: [IdentityReviewsController, DuplicatesController, ReconciliationController],
  providers: [ReconciliationHandlers, IdentityReviewsService, CommandResponder, DuplicatesService, DuplicatesSubscription],
})
export class ReconciliationModule {}
