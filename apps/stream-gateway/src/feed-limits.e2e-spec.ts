import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { encodeCursor, parsePartnersDocument } from '@childledger/partner-streams';
import { loadConfig, PG_POOL, PlatformConfig } from '@childledger/platform';
import { TRUST_MIGRATIONS } from '@childledger/trust';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { PartnerStreamsService, StreamGatewayOptions } from './partner-streams.service';
import { createStreamGateway } from './stream-gateway.app';

const partners = parsePartnersDocument(JSON.parse(readFileSync(path.resolve(__dirname, '../partners.json'), 'utf8')));
const SECRETS = {
  moh: { clientSecret: 'moh-client-secret-for-tests', keySecret: 'moh-key-secret-for-tests-0000' },
  moet: { clientSecret: 'moet-client-secret-for-tests', keySecret: 'moet-key-secret-for-tests-000' },
};
type PartnerId = keyof typeof SECRETS;

/** Bytes of padding per backlog event: with BACKLOG events, far more than loopback sockets buffer. */
const PADDING = 4000;
const BACKLOG = 12_000;
const SSE_PAGE = 500;

interface Gateway {
  db: TestDatabase;
  app: INestApplication;
  base: string;
  auth: TestAuth;
  pool: Pool;
}

async function startGateway(overrides: Partial<StreamGatewayOptions>): Promise<Gateway> {
  const db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
  const auth = await createTestAuth();
  const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: randomBytes(32).toString('base64') });
  const app = await createStreamGateway(config, db.url, {
    auth: auth.auth,
    gateway: { filePartners: partners, secrets: SECRETS, provinceOf: (c) => c.slice(0, 2), rateLimitPerMinute: 600, heartbeatMs: 200, ...overrides },
  });
  await app.listen(0, '127.0.0.1');
  const base = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api/v1`;
  return { db, app, base, auth, pool: app.get<Pool>(PG_POOL) };
}

async function bearer(g: Gateway, id: PartnerId): Promise<string> {
  const res = await fetch(`${g.base}/partners/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: SECRETS[id].clientSecret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** `count` outbox rows for the partner (≈ PADDING bytes each), as its projection would have written them; returns their sequences. */
async function appendBacklog(pool: Pool, partnerId: string, count: number): Promise<bigint[]> {
  const res = await pool.query<{ seq: string }>(
    `INSERT INTO partner_outbox (partner_id, child_id, event_id, event)
     SELECT $1, 'child-' || g, 'bulk-' || g,
            jsonb_build_object('specversion', '1.0', 'id', 'bulk-' || g, 'source', 'urn:test', 'type', 'vn.gov.childledger.Bulk.v1',
                               'data', jsonb_build_object('n', g, 'padding', repeat('x', $3::int)))
       FROM generate_series(1, $2::int) g
     RETURNING seq::text AS seq`,
    [partnerId, count, PADDING],
  );
  return res.rows.map((r) => BigInt(r.seq)).sort((a, b) => (a < b ? -1 : 1));
}

async function metric(g: Gateway, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const admin = { authorization: `Bearer ${await g.auth.tokenFor({ role: 'admin' })}` };
  const text = await (await fetch(`${g.base}/metrics`, { headers: admin })).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Resolves once `read()` returns the same value `times` times in a row, 300 ms apart (bounded). */
async function settled(read: () => number, times = 4, boundMs = 30_000): Promise<number> {
  let last = read();
  let same = 0;
  const until = Date.now() + boundMs;
  while (same < times) {
    if (Date.now() > until) throw new Error(`did not settle within ${boundMs} ms (last ${last})`);
    await new Promise((r) => setTimeout(r, 300));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * An SSE client on a raw HTTP connection that can stop reading: `paused` from the start (the
 * response stream is never read until `resume()`), it parses each event's id and `data.n`.
 */
class RawSseClient {
  readonly received: { id: string; n: number }[] = [];
  bytes = 0;
  closed = false;
  status = 0;
  private buffer = '';
  private response: http.IncomingMessage | undefined;
  readonly request: http.ClientRequest;
  readonly ready: Promise<number>;

  constructor(url: string, token: string) {
    openClients.push(this);
    this.request = http.request(url, { agent: false, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    this.request.on('error', () => undefined);
    this.request.on('close', () => (this.closed = true));
    this.ready = new Promise((resolve) => {
      this.request.on('response', (res) => {
        this.response = res;
        this.status = res.statusCode ?? 0;
        res.pause();
        res.on('error', () => undefined);
        res.on('close', () => (this.closed = true));
        resolve(this.status);
      });
    });
    this.request.end();
  }

  resume(): void {
    const res = this.response!;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.bytes += Buffer.byteLength(chunk);
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) this.received.push({ id, n: (JSON.parse(data) as { data: { n: number } }).data.n });
      }
    });
    res.resume();
  }

  close(): void {
    this.request.destroy();
  }
}

/** Raw clients still open are destroyed after each test, so that a failing test does not hold the gateway's close. */
const openClients: RawSseClient[] = [];
afterEach(() => {
  for (const c of openClients.splice(0)) c.close();
});

describe('partner SSE feed: back-pressure and connection caps', () => {
  let g: Gateway;

  beforeAll(async () => {
    // 3 streams per partner (the default), 4 in all on this process; the default 60 s write timeout.
    g = await startGateway({ maxStreams: 4 });
  });

  afterAll(async () => {
    await g?.app.close();
    await g?.db.drop();
  });

  it('a reader that stops reading stops the outbox reads (bounded bytes in flight); after it resumes, every event arrives once and in order', async () => {
    const streams = g.app.get(PartnerStreamsService);
    const seqs = await appendBacklog(g.pool, 'moet', BACKLOG);
    const backlogBytes = BACKLOG * PADDING;
    // Outbox pages with rows, read for this partner's SSE streams (the gateway's own reads, counted where they happen).
    let pagesWithRows = 0;
    const pageRaw = streams.feed.pageRaw.bind(streams.feed);
    const spy = jest.spyOn(streams.feed, 'pageRaw').mockImplementation(async (partnerId, after, limit) => {
      const page = await pageRaw(partnerId, after, limit);
      if (partnerId === 'moet' && page.json.length > 0) pagesWithRows++;
      return page;
    });
    try {
      const client = new RawSseClient(`${g.base}/feeds/moet/stream`, await bearer(g, 'moet'));
      expect(await client.ready).toBe(200);
      // Paused: the gateway fills the socket's buffers, then waits for drain instead of reading on.
      const pagesWhilePaused = await settled(() => pagesWithRows);
      const totalPages = Math.ceil(BACKLOG / SSE_PAGE);
      expect(pagesWhilePaused).toBeGreaterThan(0);
      expect(pagesWhilePaused).toBeLessThan(totalPages / 2);
      const written = (await metric(g, 'childledger_partner_sse_bytes_written_total', { partner: 'moet' })) ?? Infinity;
      expect(written).toBeLessThan(backlogBytes / 2);
      expect((await metric(g, 'childledger_partner_sse_events_written_total', { partner: 'moet' })) ?? Infinity).toBeLessThan(BACKLOG / 2);
      expect(client.bytes).toBe(0);

      client.resume();
      await eventually(() => client.received.length >= BACKLOG, 120_000, 'every backlog event after resuming');
      await new Promise((r) => setTimeout(r, 300));
      expect(client.received).toHaveLength(BACKLOG);
      expect(client.received.map((r) => r.n)).toEqual(Array.from({ length: BACKLOG }, (_, i) => i + 1));
      expect(client.received.map((r) => r.id)).toEqual(seqs.map((s) => encodeCursor('moet', s)));
      expect(pagesWithRows).toBe(totalPages);
      expect(await metric(g, 'childledger_partner_sse_events_written_total', { partner: 'moet' })).toBe(BACKLOG);
      client.close();
      await eventually(async () => (await metric(g, 'childledger_partner_sse_streams', { partner: 'moet' })) === 0, 10_000, 'the stream to be counted closed');
    } finally {
      spy.mockRestore();
    }
  });

  it('at most 3 feeds per partner and 4 per process: the next gets 429 naming the rule, with Retry-After; closing one (or a server error) frees its slot', async () => {
    const open: { res: Response; reader: ReadableStreamDefaultReader<Uint8Array> }[] = [];
    const openStream = async (id: PartnerId) => {
      const res = await fetch(`${g.base}/feeds/${id}/stream`, { headers: { authorization: `Bearer ${await bearer(g, id)}` } });
      if (res.status === 200) open.push({ res, reader: res.body!.getReader() });
      return res;
    };
    try {
      for (let i = 0; i < 3; i++) expect((await openStream('moh')).status).toBe(200);
      const fourth = await openStream('moh');
      expect(fourth.status).toBe(429);
      expect(fourth.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await fourth.json()).toMatchObject({
        statusCode: 429,
        rule: 'TOO_MANY_STREAMS',
        errors: [{ field: 'partner', rule: 'TOO_MANY_STREAMS', message: 'at most 3 open feeds per partner' }],
      });
      // Another partner has its own cap, but the process has one slot left in all.
      expect((await openStream('moet')).status).toBe(200);
      const full = await openStream('moet');
      expect(full.status).toBe(429);
      expect(full.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await full.json()).toMatchObject({ errors: [{ field: 'stream', rule: 'GATEWAY_STREAMS_FULL' }] });
      expect(await metric(g, 'childledger_partner_sse_refused_total', { partner: 'moh', rule: 'TOO_MANY_STREAMS' })).toBe(1);
      expect(await metric(g, 'childledger_partner_sse_streams', { partner: 'moh' })).toBe(3);

      // The client closes one of moh's feeds: a new one is accepted once the gateway has seen the close.
      await open.shift()!.reader.cancel();
      await eventually(async () => (await metric(g, 'childledger_partner_sse_streams', { partner: 'moh' })) === 2, 10_000, 'the closed feed to be released');
      expect((await openStream('moh')).status).toBe(200);

      // A server error while a stream starts gives its slot back too.
      for (const o of open.splice(0)) await o.reader.cancel();
      await eventually(async () => (await metric(g, 'childledger_partner_sse_streams', { partner: 'moh' })) === 0, 10_000, 'every feed to be released');
      const streams = g.app.get(PartnerStreamsService);
      const failing = jest.spyOn(streams.feed, 'pageRaw').mockRejectedValueOnce(new Error('injected outbox read failure'));
      try {
        expect((await openStream('moh')).status).toBe(500);
      } finally {
        failing.mockRestore();
      }
      for (let i = 0; i < 3; i++) expect((await openStream('moh')).status).toBe(200);
      expect(await metric(g, 'childledger_partner_sse_streams', { partner: 'moh' })).toBe(3);
    } finally {
      for (const o of open) await o.reader.cancel().catch(() => undefined);
    }
    await eventually(async () => (await metric(g, 'childledger_partner_sse_streams', { partner: 'moh' })) === 0, 10_000, 'every feed to be released');
  });
});

describe('partner SSE feed: write timeout', () => {
  let g: Gateway;

  beforeAll(async () => {
    // One stream per partner, so that a new one being accepted shows the stuck one's slot was freed.
    g = await startGateway({ writeTimeoutMs: 500, maxStreamsPerPartner: 1 });
  });

  afterAll(async () => {
    await g?.app.close();
    await g?.db.drop();
  });

  it('a reader that never drains is disconnected after the configured write timeout, counted, and its slot freed', async () => {
    await appendBacklog(g.pool, 'moet', BACKLOG / 2);
    const token = await bearer(g, 'moet');
    const stuck = new RawSseClient(`${g.base}/feeds/moet/stream`, token);
    expect(await stuck.ready).toBe(200);
    await eventually(
      async () => (await metric(g, 'childledger_partner_sse_write_timeouts_total', { partner: 'moet' })) === 1,
      30_000,
      'the gateway to give up on the stuck reader',
    );
    // A paused socket only sees the end once it reads again: what the kernel held, then the end of the stream, far before the backlog's end.
    expect(stuck.bytes).toBe(0);
    stuck.resume();
    await eventually(() => stuck.closed, 30_000, 'the stuck reader to see its connection closed');
    expect(stuck.received.length).toBeLessThan(BACKLOG / 2);
    expect(stuck.received.map((r) => r.n)).toEqual(Array.from({ length: stuck.received.length }, (_, i) => i + 1));
    await eventually(async () => (await metric(g, 'childledger_partner_sse_streams', { partner: 'moet' })) === 0, 10_000, 'the slot to be freed');
    const next = await fetch(`${g.base}/feeds/moet/stream`, { headers: { authorization: `Bearer ${token}` } });
    expect(next.status).toBe(200);
    await next.body!.cancel();
  });
});
