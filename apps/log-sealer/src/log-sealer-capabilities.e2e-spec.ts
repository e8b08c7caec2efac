import { createTestDatabase, TestDatabase } from '@childledger/database';
import { PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth } from '@childledger/platform/testing';
import { createLogSealer } from './log-sealer.app';

describe('log sealer: event-store capabilities are checked at boot', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
  });
  afterAll(() => db.drop());

  it('refuses to start on EventStoreDB, naming stored-log (it would sign nothing)', async () => {
    // EventStoreDB's client connects lazily: nothing listens on port 1, and nothing needs to.
    const config = Object.assign(new PlatformConfig(), {
      LOG_LEVEL: 'silent' as const,
      EVENT_STORE_BACKEND: 'eventstoredb' as const,
      EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false',
    });
    const auth = await createTestAuth();
    const app = await createLogSealer(config, db.url, { auth: auth.auth });
    await expect(app.init()).rejects.toThrow(/lacks the capability "stored-log", which the log sealer needs/);
    await app.close().catch(() => undefined);
  });
});
