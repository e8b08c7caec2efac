// The partner streams' tables, as their own project (scope:partners) so that the migration step's
// ALL_MIGRATIONS (libs/migrations) can list them without depending on the partners context.
import { CreatePartnerStreams1733000000000 } from './1733000000000-create-partner-streams';
import { PartnerOutboxRetention1733000000001 } from './1733000000001-partner-outbox-retention';
import { PartnerOutboxTraceContext1795480000000 } from './1795480000000-partner-outbox-trace-context';
export { CreatePartnerStreams1733000000000, PartnerOutboxRetention1733000000001, PartnerOutboxTraceContext1795480000000 };
export const PARTNER_STREAMS_MIGRATIONS = [CreatePartnerStreams1733000000000, PartnerOutboxRetention1733000000001, PartnerOutboxTraceContext1795480000000];
