import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../event-store.port';

let counter = 0;

/** A test event; `n` ends up in the data so that readers can check order. */
export function testEvent(n: number = counter++, type = 'TestEventHappened', extra: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data: { n, ...extra }, metadata: { correlationId: `corr-${n}` } };
}

export function testEvents(count: number, type?: string): NewEvent[] {
  return Array.from({ length: count }, () => testEvent(undefined, type));
}

export function ids(events: readonly (NewEvent | RecordedEvent)[]): string[] {
  return events.map((e) => e.id);
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
