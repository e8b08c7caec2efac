import { randomUUID } from 'node:crypto';
import { isEnvelope } from './envelope';
import { childRegistered, trustTestKit, TrustTestKit } from '../testing/trust-test-kit';

const NAME_IN_REASON = 'nhập trùng với hồ sơ của Trịnh Thị Quỳnh Nga';
const EXPLANATION = 'Full name: similar (Trinh Thi Quynh Nga ~ Trịnh Thị Quỳnh Nga) (+4.1)';
const RECORD_REF = 'HS-TRINH-QUYNH-NGA-2016';

describe('free text under the encrypted part of the event', () => {
  let kit: TrustTestKit;
  beforeAll(async () => {
    kit = await trustTestKit();
  });
  afterAll(() => kit.teardown());

  const storedRow = async (eventId: string) =>
    (
      await kit.owner.query<{ data: string; metadata: string; meta: Record<string, unknown> }>(
        'SELECT data::text AS data, metadata::text AS metadata, metadata AS meta FROM events WHERE event_id = $1',
        [eventId],
      )
    ).rows[0]!;

  it('seals metadata.reason, match.explanation and import.recordRef with the child key, reads them back in place, and not after erasure', async () => {
    const child = randomUUID();
    await kit.store.append(`child-${child}`, [childRegistered(child, { fullName: 'Trịnh Quỳnh Nga', dateOfBirth: '2016-04-04' })]);
    const id = randomUUID();
    await kit.store.append(`child-${child}`, [
      {
        id,
        type: 'IdentityReviewRequested',
        data: { childId: child, source: 'identity_adapter', personal: { reason: NAME_IN_REASON }, requestedAt: '2025-09-01T00:00:00.000Z' },
        metadata: {
          actor: { userId: 'identity-adapter', role: 'system' },
          reason: NAME_IN_REASON,
          match: { method: 'search', score: 0.7, explanation: EXPLANATION },
          import: { importId: 'imp-1', row: 7, recordRef: RECORD_REF },
        },
      },
    ]);
    const row = await storedRow(id);
    for (const text of [NAME_IN_REASON, 'Trinh Thi Quynh Nga', RECORD_REF]) {
      expect(row.data).not.toContain(text);
      expect(row.metadata).not.toContain(text);
    }
    // What is not free text stays readable to the log's consumers that do not decrypt.
    expect(row.meta).toMatchObject({ actor: { userId: 'identity-adapter' }, match: { method: 'search', score: 0.7 }, import: { importId: 'imp-1', row: 7 } });
    expect(isEnvelope(row.meta['personal'])).toBe(true);

    const [, read] = await kit.store.readStream(`child-${child}`);
    expect(read!.data['personal']).toEqual({ reason: NAME_IN_REASON });
    expect(read!.metadata).toEqual({
      actor: { userId: 'identity-adapter', role: 'system' },
      reason: NAME_IN_REASON,
      match: { method: 'search', score: 0.7, explanation: EXPLANATION },
      import: { importId: 'imp-1', row: 7, recordRef: RECORD_REF },
    });

    await kit.keyring.destroy(child);
    const [, erased] = await kit.store.readStream(`child-${child}`);
    expect(erased!.data['personal']).toBeNull();
    expect(erased!.metadata).toEqual({
      actor: { userId: 'identity-adapter', role: 'system' },
      match: { method: 'search', score: 0.7 },
      import: { importId: 'imp-1', row: 7 },
      personal: null,
      personalDataErased: true,
    });
  });

  it('an altered metadata envelope is an error naming the event, not an erasure', async () => {
    const child = randomUUID();
    await kit.store.append(`child-${child}`, [childRegistered(child, { fullName: 'Hà Anh', dateOfBirth: '2016-04-04' })]);
    const id = randomUUID();
    await kit.store.append(`child-${child}`, [
      { id, type: 'NationalIdUnlinked', data: { childId: child, personal: { reason: 'x' } }, metadata: { reason: 'số của mẹ' } },
    ]);
    // Swap in the data envelope: it authenticates as data, not as metadata.
    await kit.owner.query(`UPDATE events SET metadata = jsonb_set(metadata, '{personal}', data->'personal') WHERE event_id = $1`, [id]).catch(async () => {
      await kit.owner.query('ALTER TABLE events DISABLE TRIGGER USER');
      await kit.owner.query(`UPDATE events SET metadata = jsonb_set(metadata, '{personal}', data->'personal') WHERE event_id = $1`, [id]);
      await kit.owner.query('ALTER TABLE events ENABLE TRIGGER USER');
    });
    await expect(kit.store.readStream(`child-${child}`)).rejects.toThrow(`sealed metadata of event ${id}`);
  });

  it('old events (free text in clear) read in today’s shape, and without the text once the child is erased; case events find their child', async () => {
    const child = randomUUID();
    const caseId = randomUUID();
    await kit.store.append(`child-${child}`, [childRegistered(child, { fullName: 'Lò Văn Páo', dateOfBirth: '2015-02-02' })]);
    // Written as the platform wrote them before: straight to the stored form, reasons in clear.
    const merged = randomUUID();
    const referred = randomUUID();
    await kit.store.raw.append(`child-${child}`, [
      {
        id: merged,
        type: 'ChildRecordsMerged',
        data: { childId: child, survivingChildId: randomUUID(), reason: NAME_IN_REASON, mergedAt: '2025-01-01T00:00:00.000Z' },
        metadata: { reason: NAME_IN_REASON, actor: { userId: 'u', role: 'data_officer' } },
      },
    ]);
    await kit.store.raw.append(`case-${caseId}`, [
      { id: randomUUID(), type: 'CaseOpened', data: { caseId, childId: child, personal: {} }, metadata: {} },
      {
        id: referred,
        type: 'CaseReferred',
        data: { caseId, sector: 'health', referredTo: 'Bệnh viện Nhi', reason: 'bác sĩ Páo quen gia đình' },
        metadata: { reason: 'bác sĩ Páo quen gia đình' },
      },
    ]);
    const m = (await kit.store.readStream(`child-${child}`))[1]!;
    expect(m.data).toMatchObject({ childId: child, personal: { reason: NAME_IN_REASON } });
    expect(m.data).not.toHaveProperty('reason');
    expect(m.metadata['reason']).toBe(NAME_IN_REASON);
    const r = (await kit.store.readStream(`case-${caseId}`))[1]!;
    expect(r.data).toEqual({ caseId, sector: 'health', referredTo: 'Bệnh viện Nhi', personal: { reason: 'bác sĩ Páo quen gia đình' } });

    await kit.keyring.destroy(child);
    const m2 = (await kit.store.readStream(`child-${child}`))[1]!;
    expect(m2.data).toEqual({ childId: child, survivingChildId: m.data['survivingChildId'], mergedAt: '2025-01-01T00:00:00.000Z', personal: null });
    expect(m2.metadata).toEqual({ actor: { userId: 'u', role: 'data_officer' }, personal: null, personalDataErased: true });
    const page = await kit.store.readAll({ filter: { streamPrefixes: [`case-${caseId}`] } });
    expect(page.events[1]!.data).toEqual({ caseId, sector: 'health', referredTo: 'Bệnh viện Nhi', personal: null });
    expect(JSON.stringify(page.events)).not.toContain('Páo');
    // The stored rows are untouched (immutable, and the hash chain covers them): the limit docs/trust.md states.
    expect((await storedRow(merged)).data).toContain(NAME_IN_REASON);
  });
});
