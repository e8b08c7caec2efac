import type { INestApplication } from '@nestjs/common';
import { PlatformConfig } from '@childledger/platform';
// An end-to-end test of three services together: it starts them from their apps' own factories.
import { RegistryApiHarness, registration } from '../../apps/registry-api/test/registry-api.harness';
import { createQueryApi } from '../../apps/query-api/src/query-api.app';
import { createProjector } from '../../apps/projector/src/projector.app';

describe('projector (e2e): a command through the registry API reaches the read models and the audit trail', () => {
  let api: RegistryApiHarness;
  let projector: INestApplication;
  let query: INestApplication;
  let queryBase: string;
  let projectorBase: string;

  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const });
    projector = await createProjector(config, api.db.url, { auth: api.auth.auth, settings: { lagIntervalMs: 100 } });
    await projector.listen(0, '127.0.0.1');
    projectorBase = (await projector.getUrl()).replace('[::1]', '127.0.0.1');
    query = await createQueryApi(config, api.db.url, { auth: api.auth.auth });
    await query.listen(0, '127.0.0.1');
    queryBase = (await query.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await query.close();
    await projector.close();
    await api.stop();
  });

  it('shows a registered child in the read model and its audit trail within a second', async () => {
    const inspector = await api.token('provinceInspector');
    const created = await api.post<{ id: string }>('/children', registration());
    expect(created.status).toBe(201);
    const t0 = Date.now();
    let entries: { eventType: string; actor: { userId: string } }[] = [];
    while (Date.now() - t0 < 1000) {
      const res = await fetch(`${queryBase}/api/v1/audit/events?childId=${created.body.id}`, { headers: { authorization: `Bearer ${inspector}` } });
      entries = ((await res.json()) as { items: typeof entries }).items;
      if (entries.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(entries).toEqual([expect.objectContaining({ eventType: 'ChildRegistered', actor: expect.objectContaining({ userId: 'dev-commune-officer' }) })]);
    const child = await fetch(`${queryBase}/api/v1/children/${created.body.id}?purpose=inspection`, { headers: { authorization: `Bearer ${inspector}` } });
    expect(child.status).toBe(200);
    expect(((await child.json()) as { personal: { fullName: string } }).personal.fullName).toBe(registration().fullName);
  });

  it('exposes position and lag of each projection as Prometheus metrics (admin token), and health without one', async () => {
    expect((await fetch(`${projectorBase}/health/ready`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const metrics = await (await fetch(`${projectorBase}/api/v1/metrics`, { headers: { authorization: `Bearer ${await api.token('admin')}` } })).text();
    for (const name of ['children', 'cases', 'audit']) {
      expect(metrics).toMatch(new RegExp(`childledger_subscription_position\\{subscription="projection:${name}"[^}]*\\} [1-9]`));
      expect(metrics).toMatch(new RegExp(`childledger_subscription_lag_events\\{subscription="projection:${name}"[^}]*\\} 0`));
    }
    expect(metrics).toContain('childledger_projection_lag_seconds_bucket');
  });
});
