import { randomUUID } from 'node:crypto';
import { EventStore, IdempotencyConflictError, RecordedEvent } from '@childledger/event-store';
import { describeEventStoreConformance, eventually, Recorder } from '@childledger/event-store/testing';
import { childRegistered, trustTestKit, TrustTestKit } from '../testing/trust-test-kit';
import { PersonalDataErasedError, PgDataKeyring } from '../keys/data-keyring';
import { LocalKeyEncryptionKey } from '../keys/key-encryption-key';
import { EncryptingEventStore, EncryptingPostgresEventStore, rawEventStore } from './encrypting-event-store';
import { isEnvelope } from './envelope';
import { PersonalDataSubjectError } from './personal-data-cipher';

// The decorator changes nothing else about the store: the whole port contract still holds.
describeEventStoreConformance(
  'PostgreSQL through EncryptingPostgresEventStore',
  async () => {
    const kit = await trustTestKit();
    return { store: kit.store, teardown: kit.teardown };
  },
  { writers: 4, appendsPerWriter: 50 },
);

describeEventStoreConformance(
  'PostgreSQL through the generic EncryptingEventStore',
  async () => {
    const kit = await trustTestKit();
    return { store: new EncryptingEventStore(rawEventStore(kit.store), kit.keyring), teardown: kit.teardown };
  },
  { writers: 4, appendsPerWriter: 50 },
);

const ANNA = { fullName: 'Nguyễn Thị Thu Hà', dateOfBirth: '2016-03-14', motherName: 'Trần Thị Lan', notes: 'ghi chú riêng' };

describe(EncryptingPostgresEventStore.name, () => {
  let kit: TrustTestKit;
  let store: EncryptingPostgresEventStore;
  beforeAll(async () => {
    kit = await trustTestKit();
    store = kit.store;
  });
  afterAll(() => kit.teardown());

  async function storedData(eventId: string): Promise<Record<string, unknown>> {
    const { rows } = await kit.owner.query<{ data: Record<string, unknown> }>('SELECT data FROM events WHERE event_id = $1', [eventId]);
    return rows[0]!.data;
  }

  it('stores data.personal as an envelope and reads it back on readStream, readAll and subscribe', async () => {
    const child = randomUUID();
    const e = childRegistered(child, ANNA);
    await store.append(`child-${child}`, [e], { expectedRevision: 'no_stream' });
    const stored = await storedData(e.id);
    expect(isEnvelope(stored.personal)).toBe(true);
    expect(stored.personal).toMatchObject({ $enc: 'A256GCM', v: 1, subject: child });
    expect(JSON.stringify(stored)).not.toContain('Thu Hà');
    expect(stored.residence).toEqual({ communeCode: '00004', effectiveFrom: '2024-01-01' }); // non-personal stays readable

    expect((await store.readStream(`child-${child}`))[0]!.data.personal).toEqual(ANNA);
    const all = await store.readAll();
    expect(all.events.find((x) => x.id === e.id)!.data.personal).toEqual(ANNA);
    const rec = new Recorder();
    const sub = store.subscribe({ handler: rec.handler });
    await sub.caughtUp();
    await sub.stop();
    expect(rec.events.find((x) => x.id === e.id)!.data.personal).toEqual(ANNA);
    // The raw store sees the envelope.
    expect(isEnvelope((await rawEventStore(store).readStream(`child-${child}`))[0]!.data.personal)).toBe(true);
  });

  it('keeps idempotent retries working: the same event encrypts to the same bytes', async () => {
    const child = randomUUID();
    const e = childRegistered(child, ANNA);
    const first = await store.append(`child-${child}`, [e], { expectedRevision: 'no_stream' });
    const retry = await store.append(`child-${child}`, [e], { expectedRevision: 'no_stream' });
    expect(retry.duplicate).toBe(true);
    expect(retry.position).toBe(first.position);
    // Same id, other personal content: a conflict, not a silent retry.
    await expect(
      store.append(`child-${child}`, [{ ...e, data: { ...e.data, personal: { ...ANNA, fullName: 'Khác' } } }], { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it('encrypts case events with the child of the case, including events without data.childId', async () => {
    const child = randomUUID();
    const caseId = randomUUID();
    const opened = { id: randomUUID(), type: 'CaseOpened', data: { caseId, childId: child, personal: { description: 'mô tả vụ việc' } } };
    const assessed = { id: randomUUID(), type: 'CaseAssessed', data: { caseId, riskLevel: 'high', personal: { notes: 'nhận xét đánh giá' } } };
    await store.append(`case-${caseId}`, [opened, assessed], { expectedRevision: 'no_stream' });
    const reviewed = { id: randomUUID(), type: 'CaseReviewed', data: { caseId, personal: { notes: 'ghi chú rà soát' } } };
    await store.append(`case-${caseId}`, [reviewed], { expectedRevision: 1 });
    for (const id of [opened.id, assessed.id, reviewed.id]) expect((await storedData(id)).personal).toMatchObject({ subject: child });
    expect((await store.readStream(`case-${caseId}`)).map((x) => x.data.personal)).toEqual([
      opened.data.personal,
      assessed.data.personal,
      reviewed.data.personal,
    ]);
  });

  it('encrypts through the append-in-transaction capability (a caller-owned transaction) as well', async () => {
    const child = randomUUID();
    const e = childRegistered(child, ANNA);
    const transactional = store.capabilities.appendInTransaction;
    expect(transactional).toBeDefined();
    await transactional!.transaction((tx) => tx.append(`child-${child}`, [e], { expectedRevision: 'no_stream' }));
    expect(isEnvelope((await storedData(e.id)).personal)).toBe(true);
  });

  it('refuses personal data that names no child instead of storing it in clear', async () => {
    const e = { id: randomUUID(), type: 'Something', data: { personal: { fullName: 'X' } } };
    await expect(store.append(`other-${randomUUID()}`, [e])).rejects.toBeInstanceOf(PersonalDataSubjectError);
    expect((await kit.owner.query('SELECT 1 FROM events WHERE event_id = $1', [e.id])).rowCount).toBe(0);
  });

  it('after the key is destroyed: personal reads as null with personalDataErased, other children untouched, no new personal data', async () => {
    const erased = randomUUID();
    const other = randomUUID();
    await store.append(`child-${erased}`, [childRegistered(erased, ANNA)]);
    await store.append(`child-${other}`, [childRegistered(other, { ...ANNA, fullName: 'Lê Văn Bình' })]);
    const caseId = randomUUID();
    await store.append(`case-${caseId}`, [{ id: randomUUID(), type: 'CaseOpened', data: { caseId, childId: erased, personal: { description: 'mô tả' } } }]);
    await kit.keyring.destroy(erased);

    const [reg] = await store.readStream(`child-${erased}`);
    expect(reg!.data.personal).toBeNull();
    expect(reg!.metadata.personalDataErased).toBe(true);
    expect(reg!.data.residence).toEqual({ communeCode: '00004', effectiveFrom: '2024-01-01' });
    expect((await store.readStream(`case-${caseId}`))[0]!.data.personal).toBeNull();
    expect((await store.readStream(`child-${other}`))[0]!.data.personal).toMatchObject({ fullName: 'Lê Văn Bình' });
    expect((await store.readStream(`child-${other}`))[0]!.metadata.personalDataErased).toBeUndefined();

    // Another keyring (another process) that had the key cached stops using it within its cache time.
    await expect(store.append(`child-${erased}`, [childRegistered(erased, ANNA)])).rejects.toBeInstanceOf(PersonalDataErasedError);
    // An event with nothing personal still goes in.
    await store.append(`case-${caseId}`, [{ id: randomUUID(), type: 'CaseClosed', data: { caseId, outcome: 'other', personal: {} } }]);
  });

  it('two processes creating the same child’s key at once end up with one key', async () => {
    const kek = LocalKeyEncryptionKey.generate();
    const rings = Array.from({ length: 6 }, () => new PgDataKeyring(kit.pool, { kek }));
    const child = randomUUID();
    const keys = await Promise.all(rings.map((r) => r.findOrCreate([child])));
    const distinct = new Set(keys.map((k) => k.get(child)!.encryptionKey.toString('hex')));
    expect(distinct.size).toBe(1);
    expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [child])).rowCount).toBe(1);
    rings.forEach((r) => r.close());
  });

  it('a registration skips the look-up but still ends with one key per child, the existing one if there was one', async () => {
    const kek = LocalKeyEncryptionKey.generate();
    const rings = Array.from({ length: 6 }, () => new PgDataKeyring(kit.pool, { kek }));
    const child = randomUUID();
    const keys = await Promise.all(rings.map((r) => r.findOrCreate([child], { probablyNew: true })));
    expect(new Set(keys.map((k) => k.get(child)!.encryptionKey.toString('hex'))).size).toBe(1);
    const later = new PgDataKeyring(kit.pool, { kek });
    const again = await later.findOrCreate([child], { probablyNew: true });
    expect(again.get(child)!.encryptionKey.toString('hex')).toBe(keys[0]!.get(child)!.encryptionKey.toString('hex'));
    expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [child])).rowCount).toBe(1);
    [...rings, later].forEach((r) => r.close());
  });

  it('a subscriber sees erased personal data as null from then on, never an error', async () => {
    const child = randomUUID();
    await store.append(`child-${child}`, [childRegistered(child, ANNA)]);
    await kit.keyring.destroy(child);
    const rec = new Recorder();
    const sub = (store as EventStore).subscribe({ handler: rec.handler, filter: { streamPrefixes: [`child-${child}`] } });
    await eventually(() => rec.events.length === 1);
    await sub.stop();
    const e: RecordedEvent = rec.events[0]!;
    expect(e.data.personal).toBeNull();
    expect(e.metadata.personalDataErased).toBe(true);
  });
});
