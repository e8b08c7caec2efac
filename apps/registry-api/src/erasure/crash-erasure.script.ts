// Run as a child process by the erasure crash test: erases a child and is killed (SIGKILL)
// between the append of ChildPersonalDataErased and the key destruction.
import { createPool } from '@childledger/database';
import { EncryptingPostgresEventStore, LocalKeyEncryptionKey, PgDataKeyring } from '@childledger/trust';
import { eraseChildPersonalData } from './erase-child-personal-data';

async function main(): Promise<void> {
  const { CRASH_DATABASE_URL: url, CRASH_KEK: kek, CRASH_CHILD_ID: childId } = process.env;
  if (!url || !kek || !childId) throw new Error('CRASH_DATABASE_URL, CRASH_KEK and CRASH_CHILD_ID are required');
  const pool = createPool(url, { max: 2 });
  const keyring = new PgDataKeyring(pool, { kek: LocalKeyEncryptionKey.fromBase64(kek) });
  const store = new EncryptingPostgresEventStore({ pool }, keyring);
  await eraseChildPersonalData(
    store,
    keyring,
    {
      childId,
      reason: 'Quyết định xoá dữ liệu số 7/2025',
      metadata: { actor: { userId: 'crash', role: 'admin' } },
      context: { now: new Date(), units: { isCommuneValidOn: () => true, isKnownProvinceCode: () => true } },
    },
    { afterAppend: async () => void process.kill(process.pid, 'SIGKILL') },
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
