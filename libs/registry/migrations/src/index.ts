import { CreateIdempotencyKeys1795460000000 } from './1795460000000-create-idempotency-keys';
import { CreateImports1795460000001 } from './1795460000001-create-imports';

export { CreateIdempotencyKeys1795460000000, CreateImports1795460000001 };

/** The registry's tables besides the event log, in order. */
export const REGISTRY_MIGRATIONS = [CreateIdempotencyKeys1795460000000, CreateImports1795460000001];
