/** The pg pool the read-model queries run on (a service binds it to its own, e.g. `useExisting: PG_POOL`). */
export const READ_MODEL_POOL = Symbol('ReadModelPool');
