import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { SandboxFaults } from '@childledger/identity';
import { PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth } from '@childledger/platform/testing';
import { generateScenario, ResidentRow } from '@childledger/testing';
import { createPopulationRegistrySandbox } from '../../apps/population-registry-sandbox/src/sandbox.app';
import { SANDBOX_FAULTS } from '../../apps/population-registry-sandbox/src/sandbox.tokens';

const CLIENT = { SANDBOX_CLIENT_ID: 'adapter-test', SANDBOX_CLIENT_SECRET: 'a-test-secret-1234' };
const NO_FAULTS = { latencyMs: 0, rateLimitPerSecond: 0, errorRate: 0, timeoutRate: 0 };

function toResident(r: ResidentRow) {
  return {
    personalId: r.personal_id,
    fullName: r.full_name,
    sex: r.sex,
    dateOfBirth: r.date_of_birth,
    birthRegistrationProvinceCode: r.birth_registration_province_code,
    residenceCommuneCode: r.residence_commune_code,
    fatherFullName: r.father_full_name,
    motherFullName: r.mother_full_name,
    fatherPersonalId: r.father_personal_id,
    motherPersonalId: r.mother_personal_id,
  };
}

describe('population registry sandbox (HTTP)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let faults: SandboxFaults;
  let residents: ResidentRow[];

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    residents = generateScenario({ seed: 11, households: 150, records: 0 }).residents;
    const auth = await createTestAuth();
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const });
    app = await createPopulationRegistrySandbox(config, db.url, {
      auth: auth.auth,
      sandbox: CLIENT,
      faults: NO_FAULTS,
      residents: () => residents.map(toResident),
    });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}/api/v1`;
    faults = app.get(SANDBOX_FAULTS);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });
  afterEach(() => faults.configure({ ...NO_FAULTS, seed: 1 }));

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  async function token(): Promise<string> {
    const res = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(CLIENT.SANDBOX_CLIENT_ID, CLIENT.SANDBOX_CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBeGreaterThan(0);
    return body.access_token;
  }
  async function post(path: string, body: unknown, bearer?: string) {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  }

  describe('tokens', () => {
    it('issues a client-credentials token with HTTP Basic or form fields, and refuses a wrong secret or grant', async () => {
      expect(await token()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const form = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${CLIENT.SANDBOX_CLIENT_ID}&client_secret=${CLIENT.SANDBOX_CLIENT_SECRET}`,
      });
      expect(form.status).toBe(200);
      const wrong = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(CLIENT.SANDBOX_CLIENT_ID, 'not-the-secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()) as { message: { error: string } } & Record<string, unknown>).toMatchObject({ error: 'invalid_client' });
      const grant = await post('/oauth/token', { grant_type: 'password', client_id: CLIENT.SANDBOX_CLIENT_ID, client_secret: CLIENT.SANDBOX_CLIENT_SECRET });
      expect(grant.status).toBe(400);
      expect(grant.body).toMatchObject({ error: 'unsupported_grant_type' });
    });

    it('refuses data requests without a token, with a forged one, or with a platform user token', async () => {
      expect((await post('/residents/lookup', { personalId: residents[0]!.personal_id })).status).toBe(401);
      const good = await token();
      const [h, p] = good.split('.');
      expect((await post('/residents/lookup', { personalId: residents[0]!.personal_id }, `${h}.${p}.forgedsignature`)).status).toBe(401);
      const platformToken = await (await createTestAuth()).tokenFor({ role: 'admin' });
      expect((await post('/residents/lookup', { personalId: residents[0]!.personal_id }, platformToken)).status).toBe(401);
    });
  });

  describe('data', () => {
    it('was seeded with the generated residents', async () => {
      const bearer = await token();
      const some = residents.filter((_, i) => i % 97 === 0);
      for (const r of some) {
        const res = await post('/residents/lookup', { personalId: r.personal_id }, bearer);
        expect(res.status).toBe(200);
        expect(res.body['resident']).toMatchObject({ personalId: r.personal_id, fullName: r.full_name, dateOfBirth: r.date_of_birth, sex: r.sex });
      }
    });

    it("looks up by personal ID: 404 when nobody holds it, 400 naming the field when malformed; sends no parents' numbers", async () => {
      const bearer = await token();
      const r = residents.find((x) => x.father_personal_id)!;
      const found = await post('/residents/lookup', { personalId: r.personal_id }, bearer);
      expect(found.body['resident']).not.toHaveProperty('fatherPersonalId');
      expect(found.body['resident']).not.toHaveProperty('motherPersonalId');
      expect((await post('/residents/lookup', { personalId: '099299999999' }, bearer)).status).toBe(404);
      const bad = await post('/residents/lookup', { personalId: '12ab' }, bearer);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('personalId must be 12 digits');
    });

    it('searches by folded name key + birth year, by given name + date of birth, by date + commune or province', async () => {
      const bearer = await token();
      const child = residents.find((r) => r.date_of_birth >= '2012-01-01')!;
      const [family, ...rest] = child.full_name.split(' ');
      const given = rest[rest.length - 1]!;
      const strip = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd');
      const byName = await post(
        '/residents/search',
        { familyName: strip(family!).toUpperCase(), givenName: strip(given), birthYear: Number(child.date_of_birth.slice(0, 4)) },
        bearer,
      );
      expect(byName.status).toBe(200);
      const ids = (list: unknown) => (list as { personalId: string }[]).map((x) => x.personalId);
      expect(ids(byName.body['residents'])).toContain(child.personal_id);
      const byGivenAndDate = await post('/residents/search', { givenName: given, dateOfBirth: child.date_of_birth }, bearer);
      expect(ids(byGivenAndDate.body['residents'])).toContain(child.personal_id);
      const byCommune = await post('/residents/search', { dateOfBirth: child.date_of_birth, communeCode: child.residence_commune_code }, bearer);
      expect(ids(byCommune.body['residents'])).toContain(child.personal_id);
      for (const r of byCommune.body['residents'] as { dateOfBirth: string; residenceCommuneCode: string }[]) {
        expect(r).toMatchObject({ dateOfBirth: child.date_of_birth, residenceCommuneCode: child.residence_commune_code });
      }
      const none = await post('/residents/search', { givenName: given, dateOfBirth: '1901-01-01' }, bearer);
      expect(none.body['residents']).toEqual([]);
    });

    it('refuses a search that does not narrow (one criterion, or no name or date)', async () => {
      const bearer = await token();
      expect((await post('/residents/search', { givenName: 'An' }, bearer)).status).toBe(400);
      expect((await post('/residents/search', { sex: 'M', communeCode: '00004' }, bearer)).status).toBe(400);
      const unknown = await post('/residents/search', { givenName: 'An', birthYear: 2015, religion: 'x' }, bearer);
      expect(unknown.status).toBe(400);
    });

    it('verifies stated details against a number: yes only when every stated detail agrees', async () => {
      const bearer = await token();
      const r = residents[5]!;
      const nfdNoCase = r.full_name.normalize('NFD').toUpperCase();
      expect(
        (await post('/residents/verify', { personalId: r.personal_id, fullName: nfdNoCase, dateOfBirth: r.date_of_birth, sex: r.sex }, bearer)).body,
      ).toEqual({ match: true });
      expect((await post('/residents/verify', { personalId: r.personal_id, fullName: r.full_name, dateOfBirth: '1999-01-01' }, bearer)).body).toEqual({
        match: false,
      });
      expect((await post('/residents/verify', { personalId: r.personal_id, sex: r.sex === 'M' ? 'F' : 'M' }, bearer)).body).toEqual({ match: false });
      expect((await post('/residents/verify', { personalId: '099299999999', fullName: r.full_name }, bearer)).body).toEqual({ match: false });
      expect((await post('/residents/verify', { personalId: r.personal_id }, bearer)).body).toEqual({ match: false });
    });
  });

  describe('failure modes', () => {
    const lookup = async (bearer: string) => post('/residents/lookup', { personalId: residents[0]!.personal_id }, bearer);

    it('answers 429 with Retry-After beyond the rate limit, per client per second', async () => {
      const bearer = await token();
      faults.configure({ rateLimitPerSecond: 3, retryAfterSeconds: 2 });
      // Start at the beginning of a second so that all six fall in one window.
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
      const results = await Promise.all(Array.from({ length: 6 }, () => lookup(bearer)));
      const limited = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 200)).toHaveLength(3);
      expect(limited).toHaveLength(3);
      expect(limited[0]!.headers.get('retry-after')).toBe('2');
    });

    it('answers 503 at the configured rate, the same sequence for the same seed', async () => {
      const bearer = await token();
      const run = async () => {
        faults.configure({ errorRate: 0.3, seed: 42 });
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) statuses.push((await lookup(bearer)).status);
        return statuses;
      };
      const first = await run();
      const second = await run();
      expect(first).toEqual(second);
      const errors = first.filter((s) => s === 503).length;
      expect(errors).toBeGreaterThan(3);
      expect(errors).toBeLessThan(18);
      expect(first.every((s) => s === 200 || s === 503)).toBe(true);
    });

    it('hangs on a timeout fault (then 504), and adds the configured latency', async () => {
      const bearer = await token();
      faults.configure({ timeoutRate: 1, timeoutHangMs: 400 });
      let started = Date.now();
      const hung = await lookup(bearer);
      expect(hung.status).toBe(504);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      faults.configure({ timeoutRate: 0, latencyMs: 200 });
      started = Date.now();
      expect((await lookup(bearer)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(99);
    });
  });
});
