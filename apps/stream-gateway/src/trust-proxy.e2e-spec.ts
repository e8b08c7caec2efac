import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, TestDatabase } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { parsePartnersDocument } from '@childledger/partner-streams';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { TRUST_MIGRATIONS } from '@childledger/trust';
import { createStreamGateway } from './stream-gateway.app';

const partners = parsePartnersDocument(JSON.parse(readFileSync(path.resolve(__dirname, '../partners.json'), 'utf8')));
const SECRETS = {
  moh: { clientSecret: 'moh-client-secret-for-tests', keySecret: 'moh-key-secret-for-tests-0000' },
  moet: { clientSecret: 'moet-client-secret-for-tests', keySecret: 'moet-key-secret-for-tests-000' },
};

/**
 * TRUST_PROXY (issue 14): the token endpoint is throttled by client address before any partner is
 * known. Behind a load balancer every request comes from the balancer; with TRUST_PROXY naming it
 * (here: a hop count, or the loopback range the test's requests come from), the address is the
 * client's from X-Forwarded-For, so two clients have two buckets. Without it they share one.
 */
describe('stream-gateway behind a proxy: TRUST_PROXY', () => {
  let db: TestDatabase;
  let auth: TestAuth;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    auth = await createTestAuth();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  async function gateway(env: Record<string, string>): Promise<string> {
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: randomBytes(32).toString('base64'), ...env });
    const app = await createStreamGateway(config, db.url, {
      auth: auth.auth,
      gateway: { filePartners: partners, secrets: SECRETS, provinceOf: (c) => c.slice(0, 2), rateLimitPerMinute: 3 },
    });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api/v1`;
  }

  /** A token request with a wrong secret (401 unless throttled: 429) from the client the balancer names. */
  async function tokenStatus(base: string, client: string): Promise<number> {
    const res = await fetch(`${base}/partners/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'moh', client_secret: 'wrong' }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  async function twoClients(base: string): Promise<{ first: number[]; second: number }> {
    const first: number[] = [];
    for (let i = 0; i < 4; i += 1) first.push(await tokenStatus(base, '203.0.113.7'));
    return { first, second: await tokenStatus(base, '198.51.100.23') };
  }

  it('with TRUST_PROXY set, two clients behind the proxy get separate buckets; without it they share one', async () => {
    // The first client uses up its 3 requests a minute either way.
    const trusted = await twoClients(await gateway({ TRUST_PROXY: '1' }));
    expect(trusted).toEqual({ first: [401, 401, 401, 429], second: 401 });
    const byRange = await twoClients(await gateway({ TRUST_PROXY: 'loopback,10.0.0.0/8' }));
    expect(byRange).toEqual({ first: [401, 401, 401, 429], second: 401 });
    // Default (unset): the balancer's address is everyone's, so the second client is refused too.
    const untrusted = await twoClients(await gateway({}));
    expect(untrusted).toEqual({ first: [401, 401, 401, 429], second: 429 });
  });

  it('refuses a TRUST_PROXY it cannot read, naming the entry', () => {
    expect(() => loadConfig(PlatformConfig, { TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY.*10\.0\.0\.0\/33.*prefix length outside 0-32/);
    expect(() => loadConfig(PlatformConfig, { TRUST_PROXY: 'loopback,balancer.internal' })).toThrow(/TRUST_PROXY.*balancer\.internal/);
  });
});
