import type { RecordedEvent } from './event-store.port';

/** Turns one schema version of an event type into the next. Pure. */
export interface Upcaster {
  eventType: string;
  fromVersion: number;
  upcast(data: Record<string, unknown>, event: RecordedEvent): Record<string, unknown>;
}

/**
 * Upcasters are registered per (type, from-version) and chained on read, so a consumer only
 * ever sees the current schema version of each event type.
 */
export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.register(u);
  }

  register(upcaster: Upcaster): this {
    const key = `${upcaster.eventType}@${upcaster.fromVersion}`;
    if (this.byKey.has(key)) throw new Error(`two upcasters for ${key}`);
    this.byKey.set(key, upcaster);
    return this;
  }

  get size(): number {
    return this.byKey.size;
  }

  upcast(event: RecordedEvent): RecordedEvent {
    if (this.byKey.size === 0) return event;
    let current = event;
    for (;;) {
      const next = this.byKey.get(`${current.type}@${current.schemaVersion}`);
      if (!next) return current;
      current = { ...current, data: next.upcast(current.data, current), schemaVersion: current.schemaVersion + 1 };
    }
  }
}
