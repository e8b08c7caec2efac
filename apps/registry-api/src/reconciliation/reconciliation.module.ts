import { Module } from '@nestjs/common';
import { ReconciliationController } from './reconciliation.controller';
import { CommandResponder } from '../http/command-responder';
import { ReconciliationHandlers } from './reconciliation.handlers';

/** Identity reviews, unlinks, duplicates and merges (issue 4). Uses the platform's EVENT_STORE and PG_POOL and the (global) RegistryModule's command core. */
@Module({ controllers: [ReconciliationController], providers: [ReconciliationHandlers, CommandResponder] })
export class ReconciliationModule {}
