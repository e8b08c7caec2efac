import { randomBytes, randomUUID } from 'node:crypto';
import { eventually } from '@childledger/event-store/testing';
import { EncryptingPostgresEventStore } from '../encryption/encrypting-event-store';
import { childRegistered, trustTestKit, TrustTestKit } from '../testing/trust-test-kit';
import {
  countDataKeysByKek,
  KeyEncryptionKeyNotConfiguredError,
  PgDataKeyring,
  rewrapDataKeys,
  RewrapProgress,
  UnknownKeyEncryptionKeyError,
} from './data-keyring';
import { KeyEncryptionKey, LocalKeyEncryptionKey } from './key-encryption-key';

// KEK rotation as an operator runs it (docs/trust.md): services move to the new KEK with the old
// one as previous, `keys rewrap` rewraps every data key, the old KEK is removed.

const NAMES = ['Nguyễn Thị Thu Hà', 'Trần Văn Minh', 'Lê Thị Lan', 'Phạm Quốc Bảo', 'Hoàng Thị Mai'];

function kekFromFreshBytes(): { base64: string; kek: LocalKeyEncryptionKey } {
  const base64 = randomBytes(32).toString('base64');
  return { base64, kek: LocalKeyEncryptionKey.fromBase64(base64) };
}

describe('key-encryption key rotation', () => {
  let kit: TrustTestKit;
  const A = kekFromFreshBytes();
  const B = kekFromFreshBytes();
  const C = kekFromFreshBytes();
  const rings: PgDataKeyring[] = [];
  const stores: EncryptingPostgresEventStore[] = [];
  /** Personal data of every event written, by event id (null once erased). */
  const expected = new Map<string, unknown>();
  const children: string[] = [];
  /** Event ids with personal data of each child. */
  const eventsOf = new Map<string, string[]>();

  function ring(kek: KeyEncryptionKey, previous: KeyEncryptionKey[] = []): PgDataKeyring {
    const r = new PgDataKeyring(kit.pool, { kek, previous, cacheTtlMs: 0 });
    rings.push(r);
    return r;
  }
  function storeWith(keyring: PgDataKeyring): EncryptingPostgresEventStore {
    const s = new EncryptingPostgresEventStore({ pool: kit.pool }, keyring);
    stores.push(s);
    return s;
  }
  async function writeChildren(store: EncryptingPostgresEventStore, n: number): Promise<string[]> {
    const made: string[] = [];
    for (let i = 0; i < n; i++) {
      const child = randomUUID();
      const personal = { fullName: NAMES[i % NAMES.length], dateOfBirth: `2016-03-${String((i % 28) + 1).padStart(2, '0')}` };
      const registered = childRegistered(child, personal);
      await store.append(`child-${child}`, [registered], { expectedRevision: 'no_stream' });
      const caseId = randomUUID();
      const opened = { id: randomUUID(), type: 'CaseOpened', data: { caseId, childId: child, personal: { description: `mô tả ${i}` } } };
      await store.append(`case-${caseId}`, [opened], { expectedRevision: 'no_stream' });
      expected.set(registered.id, personal).set(opened.id, opened.data.personal);
      eventsOf.set(child, [registered.id, opened.id]);
      made.push(child);
    }
    children.push(...made);
    return made;
  }
  /** Personal data of every event with personal data, read through a store using `keyring`. */
  async function readEverything(keyring: PgDataKeyring): Promise<Map<string, unknown>> {
    const { events } = await storeWith(keyring).readAll({ maxCount: 10_000 });
    return new Map(events.filter((e) => expected.has(e.id)).map((e) => [e.id, e.data.personal]));
  }
  async function keysByKek(): Promise<Record<string, number>> {
    return Object.fromEntries((await countDataKeysByKek(kit.owner)).map((c) => [c.kekId, c.keys]));
  }
  async function rowsOf(subjects: string[]): Promise<{ subject: string; wrapped_key: Buffer; kek_id: string }[]> {
    return (await kit.owner.query('SELECT subject, wrapped_key, kek_id FROM child_data_keys WHERE subject = ANY($1::text[]) ORDER BY subject', [subjects]))
      .rows;
  }
  async function erasedChildReads(keyring: PgDataKeyring, child: string): Promise<void> {
    const [registered] = await storeWith(keyring).readStream(`child-${child}`);
    expect(registered!.data.personal).toBeNull();
    expect(registered!.metadata.personalDataErased).toBe(true);
    for (const id of eventsOf.get(child)!) expected.set(id, null);
  }

  beforeAll(async () => {
    kit = await trustTestKit();
    await writeChildren(storeWith(ring(A.kek)), 30);
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const r of rings) r.close();
    await kit.teardown();
  });

  it('services configured with the new KEK and the old one as previous read every event, and wrap new keys with the new KEK', async () => {
    expect(await keysByKek()).toEqual({ [A.kek.id]: 30 });
    const during = ring(B.kek, [A.kek]);
    expect(await readEverything(during)).toEqual(expected);
    const [added] = await writeChildren(storeWith(during), 1);
    expect((await rowsOf([added!]))[0]!.kek_id).toBe(B.kek.id);
    expect(await keysByKek()).toEqual({ [A.kek.id]: 30, [B.kek.id]: 1 });
  });

  it('a service given only the new KEK before the rewrap fails with a clear "not configured" error naming the old KEK', async () => {
    const error = await readEverything(ring(B.kek)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KeyEncryptionKeyNotConfiguredError);
    expect((error as KeyEncryptionKeyNotConfiguredError).kekId).toBe(A.kek.id);
    expect((error as Error).message).toMatch(new RegExp(`wrapped by key-encryption key ${A.kek.id}, which is not configured`));
    for (const secret of [A.base64, B.base64]) expect((error as Error).message).not.toContain(secret);
  });

  it('an interrupted rewrap keeps what it committed, an erasure in between still erases, and running it again finishes', async () => {
    const seen: RewrapProgress[] = [];
    await expect(
      rewrapDataKeys(kit.owner, [A.kek], B.kek, {
        batchSize: 7,
        onProgress: (p) => {
          seen.push(p);
          if (p.rewrapped >= 7) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(seen).toEqual([{ total: 30, rewrapped: 7, skipped: 0 }]);
    expect(await keysByKek()).toEqual({ [A.kek.id]: 23, [B.kek.id]: 8 });

    // Mid-rotation, services (new KEK + previous) read both kinds of rows and can still erase.
    const during = ring(B.kek, [A.kek]);
    const erased = (await rowsOf(children)).find((r) => r.kek_id === A.kek.id)!.subject;
    await during.destroy(erased);
    await erasedChildReads(during, erased);
    expect(await readEverything(during)).toEqual(expected);

    seen.length = 0;
    const result = await rewrapDataKeys(kit.owner, [A.kek], B.kek, { batchSize: 7, onProgress: (p) => void seen.push(p) });
    expect(result).toEqual({ kekId: B.kek.id, rewrapped: 22, alreadyCurrent: 8, skipped: 0 });
    expect(seen.map((p) => p.rewrapped)).toEqual([7, 14, 21, 22]);
    expect(seen.every((p) => p.total === 22)).toBe(true);
    expect(await keysByKek()).toEqual({ [B.kek.id]: 30 });
    expect(await rowsOf([erased])).toEqual([]);
  });

  it('after the rewrap a service with only the new KEK reads everything, and a second rewrap has nothing to do', async () => {
    const after = ring(B.kek);
    expect(await readEverything(after)).toEqual(expected);
    const before = await rowsOf(children);
    expect(await rewrapDataKeys(kit.owner, [A.kek], B.kek)).toEqual({ kekId: B.kek.id, rewrapped: 0, alreadyCurrent: 30, skipped: 0 });
    expect(await rowsOf(children)).toEqual(before);
  });

  it('an erasure after the rotation makes the child unreadable with the new KEK and the old one alike', async () => {
    // A child not erased already (the earlier test erased whichever key came eighth in subject order).
    const child = children.find((c) => expected.get(eventsOf.get(c)![0]!) !== null)!;
    await ring(B.kek).destroy(child);
    await erasedChildReads(ring(B.kek), child);
    await erasedChildReads(ring(B.kek, [A.kek]), child);
    expect(await readEverything(ring(B.kek))).toEqual(expected);
  });

  it('a key erased while the rewrap is running is skipped, never written back', async () => {
    const victim = (await rowsOf(children)).find((r) => r.kek_id === B.kek.id)!.subject;
    const eraser = await kit.owner.connect();
    try {
      // The erasure's transaction (as PgDataKeyring.destroy runs it) has deleted the row but not committed:
      // the rewrap reads the row, then its UPDATE waits on the row lock.
      await eraser.query('BEGIN');
      await eraser.query('INSERT INTO erased_data_subjects (subject) VALUES ($1)', [victim]);
      await eraser.query('DELETE FROM child_data_keys WHERE subject = $1', [victim]);
      const running = rewrapDataKeys(kit.owner, [B.kek], C.kek);
      await eventually(
        async () =>
          (
            await kit.owner.query(
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE child_data_keys%'",
            )
          ).rowCount === 1,
        30_000,
        'the rewrap to wait on the erased row',
      );
      await eraser.query('COMMIT');
      expect(await running).toEqual({ kekId: C.kek.id, rewrapped: 28, alreadyCurrent: 0, skipped: 1 });
    } finally {
      await eraser.query('ROLLBACK').catch(() => undefined); // only if the test failed before COMMIT
      eraser.release();
    }
    expect(await rowsOf([victim])).toEqual([]);
    expect(await keysByKek()).toEqual({ [C.kek.id]: 28 });
    await erasedChildReads(ring(C.kek), victim);
    expect(await readEverything(ring(C.kek))).toEqual(expected);
  });

  it('a row wrapped by a KEK that was not given stops the job naming its kek id; that row is left exactly as it was', async () => {
    const D = kekFromFreshBytes();
    const withB = await writeChildren(storeWith(ring(B.kek)), 2);
    // A writer still on KEK D adds a key while the job runs, after the rows it has already passed.
    const late = `zz-late-${randomUUID()}`;
    const seen: RewrapProgress[] = [];
    const error = await rewrapDataKeys(kit.owner, [B.kek], C.kek, {
      batchSize: 1,
      onProgress: async (p) => {
        seen.push(p);
        if (seen.length === 1) await ring(D.kek).findOrCreate([late]);
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownKeyEncryptionKeyError);
    expect((error as UnknownKeyEncryptionKeyError).unknown).toEqual([{ kekId: D.kek.id, keys: 1 }]);
    expect((error as UnknownKeyEncryptionKeyError).rewrapped).toBe(2);
    expect((error as Error).message).toContain(D.kek.id);
    const lateRow = await rowsOf([late]);
    expect(lateRow[0]!.kek_id).toBe(D.kek.id);
    expect(await ring(D.kek).find([late])).toHaveProperty('size', 1); // still unwraps with D: untouched
    expect((await rowsOf(withB)).map((r) => r.kek_id)).toEqual([C.kek.id, C.kek.id]);

    // Found before anything is written: the job refuses to start and changes no row.
    await writeChildren(storeWith(ring(B.kek)), 2);
    const before = await rowsOf([...children, late]);
    const refused = await rewrapDataKeys(kit.owner, [B.kek], C.kek).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UnknownKeyEncryptionKeyError);
    expect((refused as UnknownKeyEncryptionKeyError).unknown).toEqual([{ kekId: D.kek.id, keys: 1 }]);
    expect((refused as UnknownKeyEncryptionKeyError).rewrapped).toBe(0);
    for (const secret of [B.base64, C.base64, D.base64]) expect((refused as Error).message).not.toContain(secret);
    expect(await rowsOf([...children, late])).toEqual(before);

    // Given D too, it finishes.
    expect(await rewrapDataKeys(kit.owner, [B.kek, D.kek], C.kek)).toMatchObject({ rewrapped: 3, skipped: 0 });
    expect(await keysByKek()).toEqual({ [C.kek.id]: 33 });
  });

  it('a new wrapping that does not give the key back is never written (a faulty KMS cannot destroy keys)', async () => {
    const faulty: KeyEncryptionKey = {
      id: 'kms:faulty',
      wrap: async () => randomBytes(61),
      unwrap: async () => randomBytes(32),
    };
    const before = await rowsOf(children);
    await expect(rewrapDataKeys(kit.owner, [C.kek], faulty)).rejects.toThrow(
      /key-encryption key kms:faulty did not give back the data key of .+; nothing was written for it/,
    );
    expect(await rowsOf(children)).toEqual(before);
  });
});
