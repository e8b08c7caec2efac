export * from './pg-partner-feed';
export * from './pg-partner-projection';
export * from './pg-partner-directory';
export * from './pg-relay-checkpoints';
export * from './kafka-partner-sink';
export { CreatePartnerStreams1733000000000 } from './migrations/1733000000000-create-partner-streams';
import { CreatePartnerStreams1733000000000 } from './migrations/1733000000000-create-partner-streams';
export const PARTNER_STREAMS_MIGRATIONS = [CreatePartnerStreams1733000000000];
