import { randomUUID } from 'node:crypto';
import { BA_DINH, RegistryApiHarness, registration } from './registry-api.harness';

type Written = { id: string; streamId: string; revision: number; events: { id: string; type: string }[] };

describe('registry API: child records', () => {
  let api: RegistryApiHarness;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
  });
  afterAll(() => api.stop());

  async function register(overrides: Record<string, unknown> = {}, as: Parameters<RegistryApiHarness['post']>[2] = 'communeOfficer'): Promise<string> {
    const res = await api.post<Written>('/children', registration(overrides), as);
    expect(res.status).toBe(201);
    return res.body.id;
  }

  it('registers a child: 201, Location, ETag, the event with actor, unit and correlation id', async () => {
    const res = await api.post<Written>('/children', registration(), 'communeOfficer', { 'x-correlation-id': 'reg-001' });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(res.headers.get('location')).toBe(`/api/v1/children/${res.body.id}`);
    expect(res.body).toMatchObject({ streamId: `child-${res.body.id}`, revision: 0, events: [{ type: 'ChildRegistered' }] });
    const [event] = await api.events(`child-${res.body.id}`);
    expect(event!.event_id).toBe(res.body.events[0]!.id);
    expect(event!.metadata).toMatchObject({
      actor: { userId: 'dev-commune-officer', role: 'data_officer', unit: BA_DINH },
      correlationId: 'reg-001',
      source: 'api',
    });
    expect(event!.data).toMatchObject({
      childId: res.body.id,
      sex: 'F',
      residence: { communeCode: BA_DINH },
      personal: { fullName: 'Nguyễn Thị Thu Hà', personalId: '001316012345' },
    });
  });

  it('accepts a name typed in NFD and stores it NFC', async () => {
    const nfd = 'Phạm Thị Thuỷ'.normalize('NFD');
    expect(nfd).not.toBe(nfd.normalize('NFC'));
    const id = await register({ fullName: `  ${nfd} `, personalId: undefined });
    const [event] = await api.events(`child-${id}`);
    expect((event!.data['personal'] as { fullName: string }).fullName).toBe('Phạm Thị Thuỷ'.normalize('NFC'));
  });

  it('reads a record with its revision as ETag; province staff of the province may read it too', async () => {
    const id = await register();
    const res = await api.get(`/children/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(res.body).toMatchObject({ childId: id, status: 'active', fullName: 'Nguyễn Thị Thu Hà', residence: { communeCode: BA_DINH }, revision: 0 });
    expect((await api.get(`/children/${id}`, 'provinceInspector')).status).toBe(200);
    expect((await api.get(`/children/${id}`, 'provinceCaseWorker')).status).toBe(200);
    expect((await api.get(`/children/${id}`, 'none')).status).toBe(401);
    expect((await api.get(`/children/${randomUUID()}`)).status).toBe(404);
  });

  it('corrects details with a reason recorded in data and metadata; If-Match with the current ETag succeeds', async () => {
    const id = await register();
    const res = await api.post<Written>(
      `/children/${id}/corrections`,
      { changes: { fullName: 'Nguyễn Thị Thu Hằng', motherName: null }, reason: 'spelling on the birth certificate' },
      'communeOfficer',
      { 'if-match': '"0"' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body.events.map((e) => e.type)).toEqual(['ChildDetailsCorrected']);
    const events = await api.events(`child-${id}`);
    // The reason is free text: under data.personal (sealed with the child's key), and sealed in the metadata too.
    expect(events[1]!.data).toMatchObject({
      correctedFields: ['fullName', 'motherName'],
      personal: { fullName: 'Nguyễn Thị Thu Hằng', motherName: null, reason: 'spelling on the birth certificate' },
    });
    expect(events[1]!.metadata).toMatchObject({ reason: 'spelling on the birth certificate', actor: { userId: 'dev-commune-officer' } });
    const now = await api.get(`/children/${id}`);
    expect(now.body).toMatchObject({ fullName: 'Nguyễn Thị Thu Hằng', revision: 1 });
    expect(now.body).not.toHaveProperty('motherName');
  });

  it('records special circumstances entering and leaving, several at once', async () => {
    const id = await register();
    for (const group of [1, 4]) {
      expect((await api.post(`/children/${id}/special-circumstances`, { group, effectiveFrom: '2025-09-15' })).status).toBe(200);
    }
    const ended = await api.post<Written>(`/children/${id}/special-circumstances/4/end`, { effectiveTo: '2025-12-01', reason: 'reassessed' });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ revision: 3, events: [{ type: 'SpecialCircumstanceEnded' }] });
    expect((await api.get(`/children/${id}`)).body).toMatchObject({ circumstances: { 1: '2025-09-15' } });
  });

  it('records a risk identified (also by a case worker) and resolved', async () => {
    const id = await register();
    const identified = await api.post<Written>(
      `/children/${id}/risks`,
      { group: 9, effectiveFrom: '2025-10-01', description: 'bruises seen at school' },
      'provinceCaseWorker',
    );
    expect(identified.status).toBe(200);
    const [, risk] = await api.events(`child-${id}`);
    expect(risk!.metadata).toMatchObject({ actor: { userId: 'dev-province-case-worker', role: 'case_worker', unit: '01' } });
    const resolved = await api.post<Written>(`/children/${id}/risks/9/resolve`, { effectiveTo: '2025-11-01', outcome: 'removed_from_risk' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.events[0]!.type).toBe('RiskResolved');
  });

  it('links, unlinks, asks for review and records that no national record exists', async () => {
    const id = await register({ personalId: undefined });
    const linked = await api.post<Written>(`/children/${id}/national-id`, { personalId: '001 3 16 012345', matchScore: 0.97 });
    expect(linked.status).toBe(200);
    expect(linked.body.events[0]!.type).toBe('NationalIdLinked');
    const unlinked = await api.post<Written>(`/children/${id}/national-id/unlink`, { reason: 'the number belongs to a cousin' });
    expect(unlinked.status).toBe(200);
    const review = await api.post<Written>(`/children/${id}/identity-reviews`, { reason: 'two residents match', candidateCount: 2 });
    expect(review.status).toBe(200);
    const none = await api.post<Written>(`/children/${id}/no-national-record`, {});
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ revision: 4, events: [{ type: 'NoNationalRecordFound' }] });
    expect((await api.get(`/children/${id}`)).body).toMatchObject({ identity: 'no_national_record' });
  });

  it('changes residence; afterwards the commune officer no longer has the record, the province does', async () => {
    const id = await register();
    const moved = await api.post<Written>(`/children/${id}/residence-changes`, { communeCode: '00008', effectiveFrom: '2025-10-01' });
    expect(moved.status).toBe(200);
    expect((await api.get(`/children/${id}`)).status).toBe(404);
    expect((await api.get(`/children/${id}`, 'provinceInspector')).body).toMatchObject({ residence: { communeCode: '00008' } });
  });

  it('merges a duplicate into a surviving record and reverts the merge', async () => {
    const survivor = await register();
    const duplicate = await register({ fullName: 'Nguyen Thi Thu Ha', personalId: undefined });
    const merged = await api.post<Written>(`/children/${duplicate}/merge`, { survivingChildId: survivor, reason: 'same child registered twice' });
    expect(merged.status).toBe(200);
    const refused = await api.post(`/children/${duplicate}/special-circumstances`, { group: 2, effectiveFrom: '2025-09-15' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'RECORD_MERGED', details: { survivingChildId: survivor } });
    const reverted = await api.post<Written>(`/children/${duplicate}/merge/revert`, { reason: 'twins, not duplicates' });
    expect(reverted.status).toBe(200);
    expect((await api.get(`/children/${duplicate}`)).body).toMatchObject({ status: 'active' });
  });

  it('answers a merge into a record outside the jurisdiction exactly like a merge into one that does not exist, merged or not', async () => {
    const duplicate = await register();
    const elsewhere = await register({ residence: { communeCode: '00008', effectiveFrom: '2025-09-01' } }, 'admin');
    const mergedElsewhere = await register({ residence: { communeCode: '00008', effectiveFrom: '2025-09-01' } }, 'admin');
    expect((await api.post(`/children/${mergedElsewhere}/merge`, { survivingChildId: elsewhere, reason: 'same child' }, 'admin')).status).toBe(200);
    const missing = randomUUID();
    const answers = await Promise.all(
      [elsewhere, mergedElsewhere, missing].map(async (survivingChildId) => {
        const res = await api.post(`/children/${duplicate}/merge`, { survivingChildId, reason: 'same child registered twice' });
        return { status: res.status, body: res.text.replaceAll(survivingChildId, '<id>').replace(/"correlationId":"[^"]*"/, '') };
      }),
    );
    expect(answers[0]).toMatchObject({ status: 404 });
    expect(answers[0]!.body).toContain('CHILD_NOT_FOUND');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]!.body).not.toMatch(/\b\d{5}\b|commune|jurisdiction|merged/);
    // Nothing was written to the duplicate's stream.
    expect((await api.events(`child-${duplicate}`)).length).toBe(1);
  });

  it('erases personal data (admin): the record keeps its history but no personal field', async () => {
    const id = await register();
    const erased = await api.post<Written>(`/children/${id}/erasure`, { reason: 'court order 12/2026' }, 'admin');
    expect(erased.status).toBe(200);
    const [, event] = await api.events(`child-${id}`);
    // The legal reason stays in the event's data, in clear (it must outlive the erasure); the metadata holds no copy.
    expect(event).toMatchObject({ data: { reason: 'court order 12/2026' }, metadata: { actor: { userId: 'dev-admin', role: 'admin' } } });
    expect(event!.metadata).not.toHaveProperty('reason');
    const now = await api.get(`/children/${id}`);
    expect(now.body).toMatchObject({ status: 'erased' });
    expect(now.body).not.toHaveProperty('fullName');
    expect((await api.post(`/children/${id}/special-circumstances`, { group: 2, effectiveFrom: '2025-09-15' })).status).toBe(409);
  });

  it('reads an old (pre-2025) residence code through the mapping for jurisdiction', async () => {
    // 00004 was Phường Trúc Bạch before July 2025 and went into today's Phường Ba Đình (00004);
    // 00001 (Phúc Xá) went into Phường Hồng Hà (00097).
    const inBaDinh = await register({ residence: { communeCode: '00004', effectiveFrom: '2024-05-01' } }, 'admin');
    const inHongHa = await register({ residence: { communeCode: '00001', effectiveFrom: '2024-05-01' } }, 'admin');
    expect((await api.get(`/children/${inBaDinh}`)).status).toBe(200);
    expect((await api.get(`/children/${inHongHa}`)).status).toBe(404);
    expect((await api.get(`/children/${inHongHa}`, 'provinceInspector')).status).toBe(200);
  });

  describe('the read policy (one for every service: purpose, read audit, refusals)', () => {
    it('refuses a read without a purpose, or with one not in the list: 400 naming purpose and the rule, and nothing in the read audit', async () => {
      const id = await register();
      const none = await api.get(`/children/${id}`, 'communeOfficer', null);
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ field: 'purpose', errors: [{ field: 'purpose', rule: 'PURPOSE_REQUIRED' }] });
      expect(none.text).not.toContain('Nguyễn');
      const unknown = await api.get(`/children/${id}?purpose=curiosity`, 'communeOfficer', null);
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ field: 'purpose', errors: [{ field: 'purpose', rule: 'PURPOSE_UNKNOWN' }] });
      expect(unknown.text).not.toContain('curiosity');
      expect(await api.readAudit(id)).toEqual([]);
    });

    it('writes who read the record, with which role, why and the correlation id, to the read audit', async () => {
      const id = await register();
      const res = await api.request('GET', `/children/${id}?purpose=data_correction`, { headers: { 'x-correlation-id': 'read-child-1' } });
      expect(res.status).toBe(200);
      expect((await api.get(`/children/${id}`, 'provinceInspector', 'inspection')).status).toBe(200);
      expect(await api.readAudit(id)).toEqual([
        {
          user_id: 'dev-commune-officer',
          role: 'data_officer',
          purpose: 'data_correction',
          resource_type: 'child',
          child_id: id,
          view: 'current',
          correlation_id: 'read-child-1',
        },
        {
          user_id: 'dev-province-inspector',
          role: 'inspector',
          purpose: 'inspection',
          resource_type: 'child',
          child_id: id,
          view: 'current',
          correlation_id: expect.any(String),
        },
      ]);
    });

    it('answers a child outside the jurisdiction exactly like one that does not exist (404, same body), naming no unit, and audits neither', async () => {
      const elsewhere = await register({ residence: { communeCode: '00008', effectiveFrom: '2025-09-01' } }, 'admin');
      const missing = randomUUID();
      const outside = await api.get(`/children/${elsewhere}`);
      const unknown = await api.get(`/children/${missing}`);
      expect(outside.status).toBe(404);
      expect(outside.text.replaceAll(elsewhere, '<id>')).toBe(unknown.text.replaceAll(missing, '<id>'));
      expect(outside.text).not.toMatch(/\b\d{5}\b|\b01\b|commune|jurisdiction/);
      expect(await api.readAudit(elsewhere)).toEqual([]);
    });
  });

  it('serves the OpenAPI document with the command routes', async () => {
    const res = await fetch(api.base.replace('/api/v1', '/docs-json'));
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/children', '/api/v1/children/{childId}/corrections', '/api/v1/cases/{caseId}/assessment', '/api/v1/imports']),
    );
  });
});
