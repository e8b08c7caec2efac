import { Controller, Get, INestApplication, Module, Param, ForbiddenException } from '@nestjs/common';
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
