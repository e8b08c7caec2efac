import { Controller, Get, INestApplication, Module, Param, ForbiddenException } from '@nestjs/common';
import { createLocalJWKSet, exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { createTestDatabase, TestDatabase } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import { createApp } from '../create-app';
import { loadConfig } from '../config/load-config';
import { PlatformConfig } from '../config/platform.config';
import { PlatformModule } from '../platform.module';
import { createTestAuth, TestAuth } from '../testing';
import { CurrentUser, Roles } from './auth.decorators';
import type { AuthenticatedUser } from './auth.types';
import { DevIssuer } from './dev-issuer';
import { canActOn } from './jurisdiction';

@Controller('probe')
class ProbeController {
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser) {
    return user;
  }

  @Get('inspections')
  @Roles('inspector', 'admin')
  inspections() {
    return { ok: true };
  }

  @Get('units/:province/:commune')
  unit(@CurrentUser() user: AuthenticatedUser, @Param('province') provinceCode: string, @Param('commune') communeCode: string) {
    if (!canActOn(user, { provinceCode, communeCode })) throw new ForbiddenException(`outside your jurisdiction: commune ${communeCode}`);
    return { ok: true };
  }
}

describe('authentication and authorisation', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;

  const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    db = await createTestDatabase(EVENT_STORE_MIGRATIONS);
    t = await createTestAuth();
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent' });
    @Module({ imports: [PlatformModule.forRoot({ service: 'auth-test', config, databaseUrl: db.url, auth: t.auth })], controllers: [ProbeController] })
    class ProbeModule {}
    app = await createApp({ module: ProbeModule }, { title: 'probe' });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('lets health probes through without a token', async () => {
    expect((await get('/health/live')).status).toBe(200);
  });

  it('refuses a request without a token, with a malformed header, or with garbage (401)', async () => {
    for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer not.a.jwt']) {
      const res = await fetch(`${base}/api/v1/probe/me`, { headers: header ? { authorization: header } : {} });
      expect(res.status).toBe(401);
    }
  });

  it('refuses tokens that are expired, for another audience or issuer, or signed by another key (401)', async () => {
    const officer = t.users.communeOfficer;
    const other = await DevIssuer.create('urn:childledger:test-issuer');
    const tokens = [
      await t.tokenFor(officer, { expiresIn: '-1m' }),
      await t.tokenFor(officer, { audience: 'someone-else' }),
      await t.tokenFor(officer, { issuer: 'urn:evil' }),
      await other.tokenFor(officer),
    ];
    for (const token of tokens) {
      const res = await get('/api/v1/probe/me', token);
      expect(res.status).toBe(401);
    }
    expect(await (await get('/api/v1/probe/me', tokens[0])).json()).toMatchObject({ message: 'token expired' });
  });

  describe('pinned algorithms, required expiry, maximum age', () => {
    // A second service trusting an issuer whose keys this test holds, so it can sign what a
    // well-behaved issuer never would.
    let strictApp: INestApplication;
    let strictBase: string;
    let es256: KeyLike;
    let rs256: KeyLike;
    const claims = { name: 'x', role: 'data_officer', provinces: ['01'], communes: ['00004'] };
    const sign = (key: KeyLike, alg: string, kid: string, build: (jwt: SignJWT) => SignJWT) =>
      build(new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuer('urn:strict').setAudience('childledger').setSubject('u1')).sign(key);
    const strictGet = (token: string) => fetch(`${strictBase}/api/v1/probe/me`, { headers: { authorization: `Bearer ${token}` } });

    beforeAll(async () => {
      const ec = await generateKeyPair('ES256', { extractable: true });
      const rsa = await generateKeyPair('RS256', { extractable: true });
      es256 = ec.privateKey;
      rs256 = rsa.privateKey;
      const jwks = {
        keys: [
          { ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256' },
          { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256' },
        ],
      };
      const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent' });
      const auth = { issuer: 'urn:strict', audience: 'childledger', keys: createLocalJWKSet(jwks), algorithms: ['ES256'], maxTokenAgeSeconds: 3600 };
      @Module({ imports: [PlatformModule.forRoot({ service: 'auth-strict-test', config, databaseUrl: db.url, auth })], controllers: [ProbeController] })
      class StrictModule {}
      strictApp = await createApp({ module: StrictModule }, { title: 'strict' });
      await strictApp.listen(0, '127.0.0.1');
      strictBase = (await strictApp.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(async () => {
      await strictApp.close();
    });

    it('accepts a fresh token with exp and iat signed with a pinned algorithm', async () => {
      expect((await strictGet(await sign(es256, 'ES256', 'ec', (j) => j.setIssuedAt().setExpirationTime('10m')))).status).toBe(200);
    });

    it('refuses a token signed with a valid key of an algorithm that is not pinned', async () => {
      const res = await strictGet(await sign(rs256, 'RS256', 'rsa', (j) => j.setIssuedAt().setExpirationTime('10m')));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: 'token is signed with an algorithm this service does not accept' });
    });

    it('refuses a token without an expiry, and one without its issue time', async () => {
      const noExp = await strictGet(await sign(es256, 'ES256', 'ec', (j) => j.setIssuedAt()));
      expect(noExp.status).toBe(401);
      expect(await noExp.json()).toMatchObject({ message: 'token must carry an expiry (exp)' });
      const noIat = await strictGet(await sign(es256, 'ES256', 'ec', (j) => j.setExpirationTime('10m')));
      expect(noIat.status).toBe(401);
      expect(await noIat.json()).toMatchObject({ message: 'token must carry its issue time (iat)' });
    });

    it('refuses a token issued longer ago than the maximum age even though its exp lies ahead', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await strictGet(await sign(es256, 'ES256', 'ec', (j) => j.setIssuedAt(now - 3601).setExpirationTime(now + 3600)));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: 'token is too old (issued longer ago than the maximum token age)' });
      expect((await strictGet(await sign(es256, 'ES256', 'ec', (j) => j.setIssuedAt(now - 3500).setExpirationTime(now + 3600)))).status).toBe(200);
    });
  });

  it('stops accepting a token once it expires, even after it was accepted (and remembered) before', async () => {
    const token = await t.tokenFor(t.users.communeOfficer, { expiresIn: '2s' });
    expect((await get('/api/v1/probe/me', token)).status).toBe(200);
    expect((await get('/api/v1/probe/me', token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await get('/api/v1/probe/me', token);
    expect(res.status).toBe(401);
  });

  it('refuses tokens whose role or jurisdiction claims are missing or malformed (401)', async () => {
    const bad = [
      await t.issuer.tokenFor({ userId: 'x', name: 'x', role: 'superuser' as never, provinces: ['01'], communes: [] }),
      await t.issuer.tokenFor({ userId: 'x', name: 'x', role: 'data_officer', provinces: [], communes: [] }),
      await t.issuer.tokenFor({ userId: 'x', name: 'x', role: 'data_officer', provinces: ['Hà Nội'], communes: [] }),
    ];
    for (const token of bad) expect((await get('/api/v1/probe/me', token)).status).toBe(401);
  });

  it('serves Prometheus metrics to admins only', async () => {
    expect((await get('/api/v1/metrics')).status).toBe(401);
    expect((await get('/api/v1/metrics', await t.tokenFor(t.users.provinceInspector))).status).toBe(403);
    const res = await get('/api/v1/metrics', await t.tokenFor(t.users.admin));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('process_cpu_user_seconds_total{service="auth-test"}');
  });

  it('exposes the verified user to handlers', async () => {
    const res = await get('/api/v1/probe/me', await t.tokenFor(t.users.communeOfficer));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(t.users.communeOfficer);
  });

  it('checks the role a route names (403 for others)', async () => {
    expect((await get('/api/v1/probe/inspections', await t.tokenFor(t.users.communeOfficer))).status).toBe(403);
    expect((await get('/api/v1/probe/inspections', await t.tokenFor(t.users.provinceInspector))).status).toBe(200);
    expect((await get('/api/v1/probe/inspections', await t.tokenFor(t.users.admin))).status).toBe(200);
  });

  it('checks jurisdiction: commune staff in their commune, province staff in their province, admin everywhere', async () => {
    const officer = await t.tokenFor(t.users.communeOfficer);
    const caseWorker = await t.tokenFor(t.users.provinceCaseWorker);
    const admin = await t.tokenFor(t.users.admin);
    expect((await get('/api/v1/probe/units/01/00004', officer)).status).toBe(200);
    expect((await get('/api/v1/probe/units/01/00008', officer)).status).toBe(403);
    expect((await get('/api/v1/probe/units/01/00008', caseWorker)).status).toBe(200);
    expect((await get('/api/v1/probe/units/79/26734', caseWorker)).status).toBe(403);
    expect((await get('/api/v1/probe/units/79/26734', admin)).status).toBe(200);
  });
});
