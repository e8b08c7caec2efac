import type { EventStore } from '@childledger/event-store';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import type { AccessPolicy } from './access-policy';

/** What every registry command handler needs; one provider so that handlers stay one-liners. */
export class RegistryHandlerDeps {
  constructor(
    readonly store: EventStore,
    readonly policy: AccessPolicy,
    readonly idempotency: IdempotencyStore,
  ) {}
}
