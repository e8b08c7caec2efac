import { randomUUID } from 'node:crypto';
import { RegistryApiHarness, registration } from './registry-api.harness';

type Written = { id: string; revision: number; events: { id: string; type: string }[] };

describe('registry API: concurrency and idempotency', () => {
  let api: RegistryApiHarness;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
  });
  afterAll(() => api.stop());

  const register = async () => (await api.post<Written>('/children', registration())).body.id;

  describe('concurrent conflicting commands', () => {
    it('the same circumstance recorded twice at once: one success, one 409, one event', async () => {
      for (let round = 0; round < 5; round++) {
        const id = await register();
        const [a, b] = await Promise.all([
          api.post(`/children/${id}/special-circumstances`, { group: 2, effectiveFrom: '2025-09-15' }),
          api.post(`/children/${id}/special-circumstances`, { group: 2, effectiveFrom: '2025-09-20' }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 409]);
        const loser = a.status === 409 ? a : b;
        expect(loser.body).toMatchObject({ code: 'CIRCUMSTANCE_ALREADY_ACTIVE', errors: [{ field: 'group', rule: 'CIRCUMSTANCE_ALREADY_ACTIVE' }] });
        expect((await api.events(`child-${id}`)).map((e) => e.event_type)).toEqual(['ChildRegistered', 'SpecialCircumstanceIdentified']);
      }
    });

    it('two writers with the same If-Match: one success, one 409 version conflict', async () => {
      for (let round = 0; round < 5; round++) {
        const id = await register();
        const [a, b] = await Promise.all([
          api.post(`/children/${id}/special-circumstances`, { group: 1, effectiveFrom: '2025-09-15' }, 'communeOfficer', { 'if-match': '"0"' }),
          api.post(`/children/${id}/risks`, { group: 9, effectiveFrom: '2025-09-15' }, 'provinceCaseWorker', { 'if-match': '"0"' }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 409]);
        const loser = a.status === 409 ? a : b;
        expect(loser.body).toMatchObject({
          code: 'VERSION_CONFLICT',
          errors: [{ field: 'If-Match', rule: 'VERSION_CONFLICT' }],
          details: { expectedRevision: 0, actualRevision: 1 },
        });
        expect(await api.events(`child-${id}`)).toHaveLength(2);
      }
    });

    it('a registration raced under one child id: one 201, the others 409', async () => {
      const childId = randomUUID();
      const results = await Promise.all(Array.from({ length: 4 }, () => api.post('/children', registration({ childId }))));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      expect(await api.events(`child-${childId}`)).toHaveLength(1);
    });

    it('without If-Match, independent changes to one record all succeed (the handler retries on a version conflict)', async () => {
      const id = await register();
      const results = await Promise.all([1, 2, 3, 4].map((group) => api.post(`/children/${id}/special-circumstances`, { group, effectiveFrom: '2025-09-15' })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect((await api.get(`/children/${id}`)).body).toMatchObject({ revision: 4 });
    });
  });

  describe('Idempotency-Key', () => {
    it('a retried registration returns the first result (status, body, ETag) and writes nothing new', async () => {
      const key = `reg-${randomUUID()}`;
      const before = await api.eventCount();
      const first = await api.post<Written>('/children', registration(), 'communeOfficer', { 'idempotency-key': key });
      const retry = await api.post<Written>('/children', registration(), 'communeOfficer', { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.text).toBe(first.text);
      expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await api.eventCount()).toBe(before + 1);
      const [event] = await api.events(`child-${first.body.id}`);
      expect(event!.metadata).toMatchObject({ idempotencyKey: key });
    });

    it('a retried command on an existing record is not applied twice', async () => {
      const id = await register();
      const key = randomUUID();
      const body = { group: 7, effectiveFrom: '2025-09-15' };
      const first = await api.post(`/children/${id}/special-circumstances`, body, 'communeOfficer', { 'idempotency-key': key });
      const retry = await api.post(`/children/${id}/special-circumstances`, body, 'communeOfficer', { 'idempotency-key': key });
      expect(first.status).toBe(200);
      expect({ status: retry.status, text: retry.text }).toEqual({ status: 200, text: first.text });
      expect(await api.events(`child-${id}`)).toHaveLength(2);
    });

    it('the same key with another body is refused (422) and writes nothing', async () => {
      const key = randomUUID();
      expect((await api.post('/children', registration(), 'communeOfficer', { 'idempotency-key': key })).status).toBe(201);
      const before = await api.eventCount();
      const reused = await api.post('/children', registration({ fullName: 'Trần Văn An', sex: 'M', personalId: undefined }), 'communeOfficer', {
        'idempotency-key': key,
      });
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ field: 'Idempotency-Key', rule: 'IDEMPOTENCY_KEY_REUSED' }] });
      expect(await api.eventCount()).toBe(before);
    });

    it('concurrent retries with one key: every answer is the same and one set of events is written', async () => {
      const key = randomUUID();
      const before = await api.eventCount();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => api.post<Written>('/children', registration(), 'communeOfficer', { 'idempotency-key': key })),
      );
      expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      expect(await api.eventCount()).toBe(before + 1);
    });

    it('keys belong to a user: the same key from another user is another request', async () => {
      const id = await register();
      const key = randomUUID();
      const a = await api.post(`/children/${id}/risks`, { group: 3, effectiveFrom: '2025-09-15' }, 'communeOfficer', { 'idempotency-key': key });
      const b = await api.post(`/children/${id}/risks`, { group: 5, effectiveFrom: '2025-09-15' }, 'provinceCaseWorker', { 'idempotency-key': key });
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(await api.events(`child-${id}`)).toHaveLength(3);
    });

    it('a refused command is not remembered: fixed and sent again with the same key, it runs', async () => {
      const key = randomUUID();
      const refused = await api.post('/children', registration({ dateOfBirth: '2099-01-01', personalId: undefined }), 'communeOfficer', {
        'idempotency-key': key,
      });
      expect(refused.status).toBe(422);
      const fixed = await api.post('/children', registration(), 'communeOfficer', { 'idempotency-key': key });
      expect(fixed.status).toBe(201);
    });
  });
});
