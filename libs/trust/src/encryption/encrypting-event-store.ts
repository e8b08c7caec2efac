import {
  AppendOptions,
  AppendResult,
  createPostgresEventStore,
  EventStore,
  EventStoreCapabilities,
  NewEvent,
  PostgresEventStoreOptions,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@childledger/event-store';
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
  /** The inner store's capabilities; appends inside a caller's transaction are encrypted as well. */
  readonly capabilities: EventStoreCapabilities;

  constructor(
    private readonly inner: EventStore,
    keyring: DataKeyring,
  ) {
    this.cipher = new PersonalDataCipher(keyring, async (streamId) => (await inner.readStream(streamId, { maxCount: 1 }))[0]);
    const transactional = inner.capabilities?.appendInTransaction;
    this.capabilities = {
      ...inner.capabilities,
      ...(transactional
        ? {
            appendInTransaction: {
              transaction: (work) =>
                transactional.transaction((tx) =>
                  work({ ...tx, append: async (streamId, events, options) => tx.append(streamId, await this.cipher.encrypt(streamId, events), options) }),
                ),
            },
          }
        : {}),
    };
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
 * The decorator over the PostgreSQL adapter, built through the port's factory (no file outside
 * libs/event-store names the concrete class). Its `append-in-transaction` capability encrypts too,
 * since the decorator forwards its inner store's capabilities wrapped.
 */
export class EncryptingPostgresEventStore extends EncryptingEventStore {
  constructor(storeOptions: PostgresEventStoreOptions, keyring: DataKeyring) {
    super(createPostgresEventStore(storeOptions), keyring);
  }
}

/** The undecorated store behind an encrypting one (or the store itself). */
export function rawEventStore(store: EventStore): EventStore {
  return store instanceof EncryptingEventStore ? store.raw : store;
}
