import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  PostgresEventStore,
  PostgresEventStoreOptions,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@childledger/event-store';
import type { ClientBase, Pool } from 'pg';
import type { DataKeyring } from '../keys/data-keyring';
import { PersonalDataCipher } from './personal-data-cipher';

/**
 * The EventStore with crypto-shredding, as a decorator over any adapter: on append,
 * `data.personal` is replaced by an envelope encrypted with the subject child's data key; on
 * every read (readStream, readAll, subscribe) it is decrypted back. When the child's key has
 * been destroyed (erasure), `data.personal` reads as `null` and `metadata.personalDataErased`
 * as `true`: never an error.
 */
export class EncryptingEventStore implements EventStore {
  private readonly cipher: PersonalDataCipher;

  constructor(
    private readonly inner: EventStore,
    keyring: DataKeyring,
  ) {
    this.cipher = new PersonalDataCipher(keyring, async (streamId) => (await inner.readStream(streamId, { maxCount: 1 }))[0]);
  }

  /** The undecorated store: stored events, envelopes included (for consumers that need no personal data). */
  get raw(): EventStore {
    return this.inner;
  }

  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(streamId, await this.cipher.encrypt(streamId, events), options);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.cipher.decrypt(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    const result = await this.inner.readAll(options);
    return { ...result, events: await this.cipher.decrypt(result.events) };
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.inner.subscribe({ ...options, handler: async (events, checkpoint) => options.handler(await this.cipher.decrypt(events), checkpoint) });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The same decorator for the PostgreSQL adapter, as a subclass so that it stays a
 * `PostgresEventStore`: callers that append inside their own transaction (`appendWithin`, used
 * for idempotency keys and imports) get their personal data encrypted too.
 */
export class EncryptingPostgresEventStore extends PostgresEventStore {
  private readonly cipher: PersonalDataCipher;
  private rawStore?: PostgresEventStore;

  constructor(
    private readonly storeOptions: PostgresEventStoreOptions,
    keyring: DataKeyring,
  ) {
    super(storeOptions);
    this.cipher = new PersonalDataCipher(keyring, async (streamId) => (await super.readStream(streamId, { maxCount: 1 }))[0]);
  }

  /** An undecorated store on the same pool. */
  get raw(): EventStore {
    return (this.rawStore ??= new PostgresEventStore(this.storeOptions));
  }

  override async appendWithin(client: ClientBase | Pool, streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return super.appendWithin(client, streamId, await this.cipher.encrypt(streamId, events), options);
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.cipher.decrypt(await super.readStream(streamId, options));
  }

  override async readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    const result = await super.readAll(options);
    return { ...result, events: await this.cipher.decrypt(result.events) };
  }

  override subscribe(options: SubscribeOptions): Subscription {
    return super.subscribe({ ...options, handler: async (events, checkpoint) => options.handler(await this.cipher.decrypt(events), checkpoint) });
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.rawStore?.close()]);
  }
}

/** The undecorated store behind an encrypting one (or the store itself). */
export function rawEventStore(store: EventStore): EventStore {
  return store instanceof EncryptingEventStore || store instanceof EncryptingPostgresEventStore ? store.raw : store;
}
