/** The pg pool the read-model queries run on (a service binds it to its own, e.g. `useExisting: PG_POOL`). */
export const READ_MODEL_POOL = Symbol('ReadModelPool');
/** The event store the replays read the log through (a service binds it to its own, e.g. `useExisting: EVENT_STORE`). */
export const READ_MODEL_EVENT_STORE = Symbol('ReadModelEventStore');
/** The unit resolver the replays place residences with (the projector's). */
export const READ_MODEL_UNIT_RESOLVER = Symbol('ReadModelUnitResolver');
/** Optional: how many children of a province a name search walks in name order first (default NAME_WALK; 0: never). */
export const CHILD_SEARCH_WALK = Symbol('ChildSearchWalk');
