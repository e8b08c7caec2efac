import { CreateIdempotencyKeys1795460000000 } from './1795460000000-create-idempotency-keys';
import { CreateImports1795460000001 } from './1795460000001-create-imports';
import { CreateImportDedupeKeys1795460000002 } from './1795460000002-create-import-dedupe-keys';

export { CreateIdempotencyKeys1795460000000, CreateImports1795460000001, CreateImportDedupeKeys1795460000002 };

/** The registry's tables besides the event log, in order. */
export const REGISTRY_MIGRATIONS = [CreateIdempotencyKeys1795460000000, CreateImports1795460000001, CreateImportDedupeKeys1795460000002];
