import { randomUUID } from 'node:crypto';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  WrongExpectedVersionError,
} from '@childledger/event-store';

/** Just enough of an event store for handler unit tests: streams, expected revisions, no global log. */
export class InMemoryEventStore implements EventStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  private position = 0;

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length - 1;
    const expected = options.expectedRevision ?? 'any';
    const ok = expected === 'any' || (expected === 'no_stream' && actual === -1) || (expected === 'stream_exists' && actual >= 0) || expected === actual;
    if (!ok) throw new WrongExpectedVersionError(streamId, expected, actual < 0 ? null : actual);
    for (const e of events) {
      stream.push({
        id: e.id ?? randomUUID(),
        type: e.type,
        schemaVersion: e.schemaVersion ?? 1,
        data: structuredClone(e.data),
        metadata: structuredClone(e.metadata ?? {}),
        streamId,
        revision: stream.length,
        position: String(++this.position),
        recordedAt: new Date(),
      });
    }
    this.streams.set(streamId, stream);
    return { nextExpectedRevision: stream.length - 1, position: String(this.position), duplicate: false };
  }

  async readStream(streamId: string, _options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return [...(this.streams.get(streamId) ?? [])];
  }

  async readAll(): Promise<ReadAllResult> {
    return { events: [], checkpoint: null };
  }

  subscribe(): Subscription {
    throw new Error('not in the in-memory test store');
  }

  async close(): Promise<void> {
    return undefined;
  }
}
