// Issue 13, the write path: every finding here failed on the code before it.
import { createHash, randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@childledger/database';
import { PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth } from '@childledger/platform/testing';
import { createRegistryApi } from '../src/registry-api.app';
import { BA_DINH, RegistryApiHarness, registration } from './registry-api.harness';

type Written = { id: string; streamId: string; revision: number; events: { id: string; type: string }[] };

/** A data officer and a case worker of Hồ Chí Minh City (province 79): Ba Đình (Hà Nội) is outside their jurisdiction. */
const HCM_OFFICER = { role: 'data_officer' as const, userId: 'hcm-officer', provinces: ['79'], communes: ['25747'] };
const HCM_CASE_WORKER = { role: 'case_worker' as const, userId: 'hcm-case-worker', provinces: ['79'], communes: [] };

describe('registry API: one write path', () => {
  let api: RegistryApiHarness;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
  });
  afterAll(() => api.stop());

  const register = async () => {
    const res = await api.post<Written>('/children', registration({ personalId: undefined }));
    expect(res.status).toBe(201);
    return res.body.id;
  };

  describe('refusals name the rule, never the record', () => {
    it('a command on a child outside the jurisdiction answers exactly as one on a child that does not exist', async () => {
      const childId = await register();
      const before = await api.eventCount();
      const body = { group: 2, effectiveFrom: '2025-09-15' };
      const outside = await api.request('POST', `/children/${childId}/special-circumstances`, { as: HCM_OFFICER, body });
      const missing = await api.request('POST', `/children/${randomUUID()}/special-circumstances`, { as: HCM_OFFICER, body });
      expect(missing.status).toBe(404);
      expect(outside.status).toBe(missing.status);
      const shape = (r: typeof outside) => ({ code: r.body['code'], message: r.body['message'], errors: r.body['errors'] });
      expect(shape(outside)).toEqual(shape(missing));
      expect(outside.text).not.toContain(BA_DINH);
      expect(await api.eventCount()).toBe(before);
    });

    it('a case command outside the jurisdiction answers like a missing case; opening one like a missing child', async () => {
      const childId = await register();
      const opened = await api.post<Written>(
        '/cases',
        { childId, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() },
        'provinceCaseWorker',
      );
      expect(opened.status).toBe(201);
      const assess = { riskLevel: 'high' };
      const outside = await api.request('POST', `/cases/${opened.body.id}/assessment`, { as: HCM_CASE_WORKER, body: assess });
      const missing = await api.request('POST', `/cases/${randomUUID()}/assessment`, { as: HCM_CASE_WORKER, body: assess });
      expect([outside.status, outside.body['code'], outside.body['message']]).toEqual([missing.status, missing.body['code'], missing.body['message']]);
      const openOutside = await api.request('POST', '/cases', {
        as: HCM_CASE_WORKER,
        body: { childId, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() },
      });
      expect(openOutside.status).toBe(404);
      expect(openOutside.text).not.toContain(BA_DINH);
    });

    it('a registration outside the jurisdiction is refused naming the rule, not the commune', async () => {
      const res = await api.post('/children', registration({ personalId: undefined, residence: { communeCode: '25747', effectiveFrom: '2025-09-01' } }));
      expect(res.status).toBe(403);
      expect(res.text).toContain('jurisdiction');
      expect(res.text).not.toContain('25747');
      expect(res.text).not.toContain('lives in');
    });
  });

  describe('reconciliation commands take the same path (If-Match, Idempotency-Key)', () => {
    async function linked(): Promise<{ childId: string; revision: number }> {
      const childId = await register();
      const link = await api.post<Written>(`/children/${childId}/national-id`, { personalId: '001316012345' });
      expect(link.status).toBe(200);
      return { childId, revision: link.body.revision };
    }

    it('an unlink with a stale If-Match is a 409 version conflict and writes nothing', async () => {
      const { childId, revision } = await linked();
      const res = await api.post(`/reconciliation/children/${childId}/unlink`, { reason: 'wrong child' }, 'communeOfficer', {
        'if-match': `"${revision - 1}"`,
      });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(await api.events(`child-${childId}`)).toHaveLength(revision + 1);
    });

    it('an unlink retried with its Idempotency-Key replays the first answer and writes once', async () => {
      const { childId, revision } = await linked();
      const key = randomUUID();
      const first = await api.post<Written>(`/reconciliation/children/${childId}/unlink`, { reason: 'wrong child' }, 'communeOfficer', {
        'idempotency-key': key,
      });
      const again = await api.post<Written>(`/reconciliation/children/${childId}/unlink`, { reason: 'wrong child' }, 'communeOfficer', {
        'idempotency-key': key,
      });
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(first.headers.get('etag')).toBe(`"${revision + 1}"`);
      const events = await api.events(`child-${childId}`);
      expect(events.map((e) => e.event_type).slice(-1)).toEqual(['NationalIdUnlinked']);
      expect(events).toHaveLength(revision + 2);
      expect(events.at(-1)!.metadata).toMatchObject({ actor: { userId: 'dev-commune-officer', unit: BA_DINH }, source: 'api', idempotencyKey: key });
    });

    it('an unlink outside the jurisdiction answers like a missing child', async () => {
      const { childId } = await linked();
      const res = await api.request('POST', `/reconciliation/children/${childId}/unlink`, { as: HCM_OFFICER, body: { reason: 'wrong child' } });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(BA_DINH);
    });
  });

  it('stores an idempotency fingerprint as a keyed hash, not the plain SHA-256 of the request', async () => {
    const key = randomUUID();
    const body = registration({ personalId: undefined, childId: randomUUID() });
    const res = await api.post('/children', body, 'communeOfficer', { 'idempotency-key': key });
    expect(res.status).toBe(201);
    const { rows } = await api.owner.query<{ fingerprint: string }>('SELECT fingerprint FROM idempotency_keys WHERE idempotency_key = $1', [key]);
    const canonical = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(canonical).join(',')}]`
        : v && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : (JSON.stringify(v) ?? 'null');
    const plain = createHash('sha256')
      .update(`POST /api/v1/children\n\n${canonical(body)}`)
      .digest('hex');
    expect(rows[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.fingerprint).not.toBe(plain);
  });
});

describe('event-store capabilities are checked at boot', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
  });
  afterAll(() => db.drop());

  // EventStoreDB's client connects lazily: nothing listens on port 1, and nothing needs to.
  const onEventStoreDb = () =>
    Object.assign(new PlatformConfig(), {
      LOG_LEVEL: 'silent' as const,
      EVENT_STORE_BACKEND: 'eventstoredb' as const,
      EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false',
    });

  it('the registry API refuses to start on EventStoreDB, naming append-in-transaction (Idempotency-Key and imports need it)', async () => {
    const auth = await createTestAuth();
    const app = await createRegistryApi(onEventStoreDb(), db.url, { auth: auth.auth, poolSize: 2 });
    await expect(app.init()).rejects.toThrow(/lacks the capability "append-in-transaction", which the registry API \(Idempotency-Key, imports\) needs/);
    await app.close().catch(() => undefined);
  });
});
