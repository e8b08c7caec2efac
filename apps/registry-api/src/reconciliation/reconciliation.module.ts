import { Module } from '@nestjs/common';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationHandlers } from './reconciliation.handlers';

/** Identity reviews, unlinks, duplicates and merges (issue 4). Uses the platform's global EVENT_STORE and PG_POOL. */
@Module({ controllers: [ReconciliationController], providers: [ReconciliationHandlers] })
export class ReconciliationModule {}
