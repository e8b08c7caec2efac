import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS, NewEvent } from '@childledger/event-store';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { EncryptingPostgresEventStore } from '../encryption/encrypting-event-store';
import { LocalKeyEncryptionKey } from '../keys/key-encryption-key';
import { PgDataKeyring } from '../keys/data-keyring';
import { TRUST_MIGRATIONS } from '../index';

export interface TrustTestKit {
  db: TestDatabase;
  /** Application role. */
  pool: Pool;
  /** Owner of the database (bypasses the application role's grants). */
  owner: Pool;
  keyring: PgDataKeyring;
  store: EncryptingPostgresEventStore;
  teardown(): Promise<void>;
}

export async function trustTestKit(): Promise<TrustTestKit> {
  const db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS]);
  const pool = createPool(db.url, { max: 12 });
  const owner = createPool(db.url, { max: 4, role: null });
  const keyring = new PgDataKeyring(pool, { kek: LocalKeyEncryptionKey.generate() });
  const store = new EncryptingPostgresEventStore({ pool, pollIntervalMs: 50 }, keyring);
  return {
    db,
    pool,
    owner,
    keyring,
    store,
    teardown: async () => {
      await store.close();
      keyring.close();
      await pool.end();
      await owner.end();
      await db.drop();
    },
  };
}

/** A ChildRegistered event as the domain writes it (personal fields under data.personal). */
export function childRegistered(childId: string, personal: Record<string, unknown>, communeCode = '00004'): NewEvent {
  return {
    id: randomUUID(),
    type: 'ChildRegistered',
    data: { childId, sex: 'F', residence: { communeCode, effectiveFrom: '2024-01-01' }, registeredAt: '2024-01-02T03:04:05.000Z', personal },
    metadata: { actor: { userId: 'test', role: 'data_officer', unit: communeCode } },
  };
}
