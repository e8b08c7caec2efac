/** Current schema version of every event's `data`; an upcaster lifts older versions on read. */
export const CURRENT_SCHEMA_VERSION = 1;
