import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import * as ev from '@childledger/partner-outbox/testing';
import { encodeCursor, PartnerCloudEvent, parsePartnersDocument, SCHEMA_BASE } from '@childledger/partner-streams';
import { EVENT_STORE, loadConfig, PG_POOL, PlatformConfig } from '@childledger/platform';
import { DATA_KEYRING, DataKeyring, TRUST_MIGRATIONS } from '@childledger/trust';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { PartnerStreamsService } from './partner-streams.service';
import { createStreamGateway } from './stream-gateway.app';

const partners = parsePartnersDocument(JSON.parse(readFileSync(path.resolve(__dirname, '../partners.json'), 'utf8')));
const SECRETS = {
  moh: { clientSecret: 'moh-client-secret-for-tests', keySecret: 'moh-key-secret-for-tests-0000' },
  moet: { clientSecret: 'moet-client-secret-for-tests', keySecret: 'moet-key-secret-for-tests-000' },
};

describe('stream-gateway (HTTP)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let auth: TestAuth;
  // The platform's EVENT_STORE: the encrypting decorator (personal data sealed per child; erased = unreadable).
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    auth = await createTestAuth();
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: randomBytes(32).toString('base64') });
    app = await createStreamGateway(config, db.url, {
      auth: auth.auth,
      gateway: { filePartners: partners, secrets: SECRETS, provinceOf: (c) => c.slice(0, 2), rateLimitPerMinute: 120, heartbeatMs: 200 },
    });
    await app.listen(0, '127.0.0.1');
    base = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api/v1`;
    store = app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function token(clientId: string, secret: string): Promise<Response> {
    return fetch(`${base}/partners/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    });
  }
  const tokens: Record<string, string> = {};
  async function bearer(id: 'moh' | 'moet'): Promise<Record<string, string>> {
    if (!tokens[id]) tokens[id] = ((await (await token(id, SECRETS[id].clientSecret)).json()) as { access_token: string }).access_token;
    return { authorization: `Bearer ${tokens[id]}` };
  }
  async function readAllPages(id: 'moh' | 'moet', limit: number): Promise<PartnerCloudEvent[]> {
    const out: PartnerCloudEvent[] = [];
    let after = '';
    for (;;) {
      const res = await fetch(`${base}/feeds/${id}/events?limit=${limit}${after ? `&after=${after}` : ''}`, { headers: await bearer(id) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: PartnerCloudEvent[]; next: string };
      out.push(...body.events);
      if (body.events.length === 0) return out;
      after = body.next;
    }
  }

  it('client credentials: a token for the right secret (form or Basic); wrong ones get clear 4xx', async () => {
    const ok = await token('moh', SECRETS.moh.clientSecret);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const basic = await fetch(`${base}/partners/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`moet:${SECRETS.moet.clientSecret}`).toString('base64')}` },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(basic.status).toBe(200);
    const wrong = await token('moh', SECRETS.moet.clientSecret);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    expect((await token('nobody', 'x')).status).toBe(401);
    const grant = await fetch(`${base}/partners/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: 'moh', client_secret: 'x' }),
    });
    expect(grant.status).toBe(400);
    expect(JSON.stringify(await grant.json())).toContain('grant_type must be client_credentials');
  });

  it('the feed needs a partner token (401), the own partner (403), a valid cursor and limit (400 naming the field)', async () => {
    expect((await fetch(`${base}/feeds/moh/events`)).status).toBe(401);
    const userToken = await auth.tokenFor({ role: 'admin' });
    expect((await fetch(`${base}/feeds/moh/events`, { headers: { authorization: `Bearer ${userToken}` } })).status).toBe(401);
    const other = await fetch(`${base}/feeds/moet/events`, { headers: await bearer('moh') });
    expect(other.status).toBe(403);
    expect(JSON.stringify(await other.json())).toContain('partner moh may not read the feed of moet');
    expect((await fetch(`${base}/feeds/moet/stream`, { headers: await bearer('moh') })).status).toBe(403);
    for (const [query, field] of [
      ['after=not*a*cursor', 'after'],
      [`after=${encodeCursor('moet', 5n)}`, 'after'],
      [`after=${Buffer.from('moh:12x').toString('base64url')}`, 'after'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['colour=red', 'colour'],
    ]) {
      const res = await fetch(`${base}/feeds/moh/events?${query}`, { headers: await bearer('moh') });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(JSON.stringify(await res.json())).toContain(field);
    }
  });

  it("each partner's feed holds its own fields and keys; a live SSE consumer receives exactly what the feed replays from the start", async () => {
    const sse = await fetch(`${base}/feeds/moh/stream`, { headers: await bearer('moh') });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const received: { id: string; event: PartnerCloudEvent }[] = [];
    const reader = sse.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) received.push({ id, event: JSON.parse(data) as PartnerCloudEvent });
        }
      }
    })().catch(() => undefined);

    const children = Array.from({ length: 6 }, () => randomUUID());
    for (const [i, c] of children.entries()) {
      await store.append(`child-${c}`, [ev.childRegistered(c, i % 2 ? '01001' : '79001', i)]);
      const caseId = randomUUID();
      await store.append(`case-${caseId}`, [ev.caseOpened(caseId, c), ev.interventionPlanned(caseId, 'health'), ev.interventionDelivered(caseId, 'health')]);
      await store.append(`child-${c}`, [
        ev.nationalIdLinked(c),
        ev.residenceChanged(c, i % 2 ? '01001' : '79001', '48001'),
        ev.specialCircumstanceIdentified(c),
      ]);
    }
    // moh: ChildRegistered, InterventionPlanned, InterventionDelivered, NationalIdLinked, ResidenceChanged per child.
    await eventually(() => received.length >= children.length * 5, 15_000, 'the SSE consumer to receive every event');
    await new Promise((r) => setTimeout(r, 300));
    await reader.cancel();
    await pump;

    const replay = await readAllPages('moh', 7);
    expect(received.map((r) => r.event)).toEqual(replay);
    expect(replay).toHaveLength(children.length * 5);
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
    const health = replay.find((e) => e.type.endsWith('.ChildRegistered.v1'))!;
    expect(health.data).toEqual({ sex: 'F', residence: { communeCode: '79001' }, personal: { dateOfBirth: '2016-03-14', personalId: '001316000456' } });

    const moet = await readAllPages('moet', 1000);
    const edu = moet.find((e) => e.id === health.id)!;
    expect(edu.data).toEqual({ sex: 'F', residence: { communeCode: '79001' } });
    expect(edu.subject).not.toBe(health.subject);
    expect(moet.filter((e) => e.type.endsWith('.SpecialCircumstanceIdentified.v1'))).toHaveLength(children.length);
    expect(JSON.stringify(moet)).not.toMatch(/personal|001316000456|Nguyễn/);
    // A resumed SSE (Last-Event-ID) starts right after that event.
    const resumed = await fetch(`${base}/feeds/moh/events?after=${received[2]!.id}&limit=1`, { headers: await bearer('moh') });
    expect(((await resumed.json()) as { events: PartnerCloudEvent[] }).events[0]).toEqual(replay[3]);
  });

  it("serves each event's data schema at the path its dataschema URL names, without a token; every event on the feed validates against it", async () => {
    const events = await readAllPages('moh', 1000);
    expect(events.length).toBeGreaterThan(0);
    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv);
    for (const url of new Set(events.map((e) => e.dataschema))) {
      const res = await fetch(`${base}/schemas/partners/${url.slice(SCHEMA_BASE.length + 1)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/schema+json');
      const schema = (await res.json()) as Record<string, unknown>;
      expect(schema['$id']).toBe(url);
      const validate = ajv.getSchema(url) ?? ajv.compile(schema);
      for (const e of events.filter((x) => x.dataschema === url)) expect([e.type, validate(e.data), validate.errors ?? null]).toEqual([e.type, true, null]);
      // The schema refuses what it should: a field no agreement can name.
      expect(validate({ ...(events.find((x) => x.dataschema === url)!.data ?? {}), notAField: 1 })).toBe(false);
    }
    const missing = await fetch(`${base}/schemas/partners/NoSuchEvent/v1.json`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain('no partner schema NoSuchEvent/v1.json');
  });

  it("erasure: the child's key gets a tombstone and its personal fields are gone from the feed, replayed from the start too", async () => {
    const child = randomUUID();
    const caseId = randomUUID();
    const registered = ev.childRegistered(child, '01001', 7);
    await store.append(`child-${child}`, [registered, ev.nationalIdLinked(child)]);
    await store.append(`case-${caseId}`, [ev.caseOpened(caseId, child), ev.interventionDelivered(caseId, 'health')]);
    await eventually(async () => (await readAllPages('moh', 1000)).some((e) => e.id === registered.id), 10_000, 'the registration in the feed');
    const key = (await readAllPages('moh', 1000)).find((e) => e.id === registered.id)!;
    expect(key.data!['personal']).toEqual({ dateOfBirth: '2016-03-14', personalId: '001316000456' });
    // As the registry erases: the event, then the child's data key is destroyed.
    await store.append(`child-${child}`, [ev.childPersonalDataErased(child)]);
    await app.get<DataKeyring>(DATA_KEYRING).destroy(child);
    await eventually(async () => (await readAllPages('moh', 1000)).some((e) => e.type.endsWith('ChildTombstone.v1')), 10_000, 'the tombstone');
    const ofChild = (await readAllPages('moh', 1000)).filter((e) => e.subject === key.subject);
    expect(ofChild.map((e) => e.type.split('.')[3])).toEqual([
      'ChildRegistered',
      'NationalIdLinked',
      'InterventionDelivered',
      'ChildPersonalDataErased',
      'ChildTombstone',
    ]);
    expect(JSON.stringify(ofChild)).not.toMatch(/personal|001316000456|2016-03-14|Vaccinations/);
    expect(ofChild[ofChild.length - 1]!.data).toBeNull();
    // The education ministry never received personal fields of this child, but gets the tombstone too.
    expect((await readAllPages('moet', 1000)).filter((e) => e.type.endsWith('ChildTombstone.v1'))).toHaveLength(1);
  });

  it('admin API: admins list and create partners (fields named on bad input); others get 403; file partners are changed in the file', async () => {
    const admin = { authorization: `Bearer ${await auth.tokenFor({ role: 'admin' })}`, 'content-type': 'application/json' };
    const list = await fetch(`${base}/partners`, { headers: admin });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { id: string }[]).map((p) => p.id)).toEqual(['moet', 'moh']);
    const officer = await auth.tokenFor({ role: 'data_officer', provinces: ['01'], communes: ['00004'] });
    expect((await fetch(`${base}/partners`, { headers: { authorization: `Bearer ${officer}` } })).status).toBe(403);
    expect((await fetch(`${base}/partners`)).status).toBe(401);
    const agreement = {
      name: 'Ministry of Justice',
      sector: 'justice',
      jurisdictions: ['01'],
      channels: ['http'],
      events: { CaseReferred: ['sector', 'referredAt'] },
    };
    expect((await fetch(`${base}/partners/moh`, { method: 'PUT', headers: admin, body: JSON.stringify(agreement) })).status).toBe(409);
    const bad = await fetch(`${base}/partners/moj`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ ...agreement, events: { CaseReferred: ['childId'] } }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('events.CaseReferred[0]');
    const noKey = await fetch(`${base}/partners/moj`, { method: 'PUT', headers: admin, body: JSON.stringify(agreement) });
    expect(noKey.status).toBe(422);
    expect(JSON.stringify(await noKey.json())).toContain('PARTNER_MOJ_KEY_SECRET');
    expect((await fetch(`${base}/partners/moj`, { headers: admin })).status).toBe(404);
  });

  it('admin API: the field catalogue an agreement may name, per event type, personal fields marked (admins only)', async () => {
    const admin = { authorization: `Bearer ${await auth.tokenFor({ role: 'admin' })}` };
    const res = await fetch(`${base}/partner-fields`, { headers: admin });
    expect(res.status).toBe(200);
    const catalogue = (await res.json()) as { eventType: string; fields: { path: string; kind: string; personal: boolean }[] }[];
    const registered = catalogue.find((c) => c.eventType === 'ChildRegistered')!;
    expect(registered.fields).toEqual(
      expect.arrayContaining([
        { path: 'sex', kind: 'sex', personal: false },
        { path: 'personal.fullName', kind: 'string', personal: true },
      ]),
    );
    const officer = await auth.tokenFor({ role: 'data_officer', provinces: ['01'], communes: ['00004'] });
    expect((await fetch(`${base}/partner-fields`, { headers: { authorization: `Bearer ${officer}` } })).status).toBe(403);
    // A bad agreement names each field and rule the way every API does (errors[]).
    const bad = await fetch(`${base}/partners/moj`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bộ Tư pháp', sector: 'justice', jurisdictions: ['01'], channels: ['http'], events: { CaseReferred: ['childId'] } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: unknown[] }).errors).toEqual([expect.objectContaining({ field: 'events.CaseReferred[0]', rule: 'AGREEMENT' })]);
  });

  it('retention: expired rows are pruned; a cursor before them is a 410 naming after with the oldest available cursor; pages from there on are as before; the Kafka partner keeps what its relay has not delivered', async () => {
    const streams = app.get(PartnerStreamsService);
    await streams.caughtUp();
    const pool = app.get<Pool>(PG_POOL);
    const moet = await bearer('moet');
    const full = (await (await fetch(`${base}/feeds/moet/events?limit=1000`, { headers: moet })).json()) as { events: PartnerCloudEvent[] };
    const seqs = (
      await pool.query<{ seq: string }>(`SELECT seq::text AS seq FROM partner_outbox WHERE partner_id = 'moet' ORDER BY partner_outbox.seq`)
    ).rows.map((r) => BigInt(r.seq));
    expect(seqs).toHaveLength(full.events.length);
    const k = 3;
    expect(full.events.length).toBeGreaterThan(k + 2);
    // The first k rows of moet and every row of moh were written 100 days ago (default retention: 90 days).
    await pool.query(`UPDATE partner_outbox SET written_at = now() - interval '100 days' WHERE (partner_id = 'moet' AND seq <= $1) OR partner_id = 'moh'`, [
      seqs[k - 1]!.toString(),
    ]);
    const results = await streams.pruneOutbox();
    expect(results.find((r) => r.partnerId === 'moet')).toMatchObject({ deleted: k, prunedThrough: seqs[k - 1] });
    // moh has the kafka channel and no relay ran (no KAFKA_BROKERS): nothing of it is pruned.
    expect(results.find((r) => r.partnerId === 'moh')).toMatchObject({ deleted: 0, heldByRelay: true });

    const oldest = encodeCursor('moet', seqs[k - 1]!);
    for (const stale of [encodeCursor('moet', seqs[0]!), encodeCursor('moet', 0n)]) {
      const gone = await fetch(`${base}/feeds/moet/events?after=${stale}`, { headers: moet });
      expect(gone.status).toBe(410);
      const body = (await gone.json()) as { field: string; oldestCursor: string; message: string };
      expect(body).toMatchObject({ statusCode: 410, error: 'Gone', field: 'after', oldestCursor: oldest });
      expect(body.message).toMatch(/^after: .*the oldest available cursor is /);
      expect(body.message).toContain(oldest);
      expect(body.message).toContain('90 days');
    }
    const sse = await fetch(`${base}/feeds/moet/stream`, { headers: { ...moet, 'last-event-id': encodeCursor('moet', seqs[1]!) } });
    expect(sse.status).toBe(410);
    expect(((await sse.json()) as { oldestCursor: string }).oldestCursor).toBe(oldest);
    // From the oldest available cursor, from no cursor, and from any later cursor: the retained stream as before.
    const from = async (q: string) =>
      ((await (await fetch(`${base}/feeds/moet/events?limit=1000${q}`, { headers: moet })).json()) as { events: PartnerCloudEvent[] }).events;
    expect(await from(`&after=${oldest}`)).toEqual(full.events.slice(k));
    expect(await from('')).toEqual(full.events.slice(k));
    expect(await from(`&after=${encodeCursor('moet', seqs[k + 1]!)}`)).toEqual(full.events.slice(k + 2));

    const admin = { authorization: `Bearer ${await auth.tokenFor({ role: 'admin' })}` };
    const metrics = await (await fetch(`${base}/metrics`, { headers: admin })).text();
    expect(metrics).toMatch(new RegExp(`childledger_partner_outbox_pruned_rows_total\\{[^}]*partner="moet"[^}]*\\} ${k}\\n`));
    expect(metrics).toMatch(new RegExp(`childledger_partner_outbox_pruned_through\\{[^}]*partner="moet"[^}]*\\} ${seqs[k - 1]!.toString()}\\n`));
    const badRetention = await fetch(`${base}/partners/moj`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Ministry of Justice',
        sector: 'justice',
        jurisdictions: ['01'],
        channels: ['http'],
        events: { CaseReferred: ['sector'] },
        retentionDays: 3,
      }),
    });
    expect(badRetention.status).toBe(400);
    expect(JSON.stringify(await badRetention.json())).toContain('retentionDays: must be an integer from 7 to 3650');
  });

  it('rate limits each partner on its own (429), without affecting another partner', async () => {
    const h = await bearer('moet');
    let limited = 0;
    for (let i = 0; i < 140 && limited === 0; i++) {
      const res = await fetch(`${base}/feeds/moet/events?limit=1`, { headers: h });
      if (res.status === 429) limited = i;
    }
    expect(limited).toBeGreaterThan(0);
    expect((await fetch(`${base}/feeds/moh/events?limit=1`, { headers: await bearer('moh') })).status).toBe(200);
    expect(app.get(PartnerStreamsService).list()).toHaveLength(2);
  });
});

describe('stream-gateway periodic outbox pruning', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    const auth = await createTestAuth();
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: randomBytes(32).toString('base64') });
    app = await createStreamGateway(config, db.url, {
      auth: auth.auth,
      gateway: { filePartners: partners, secrets: SECRETS, provinceOf: (c) => c.slice(0, 2), rateLimitPerMinute: 120, pruneIntervalMs: 50, pruneBatchSize: 2 },
    });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('runs on its own at the configured interval, batch after batch, and keeps what is within retention', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const streams = app.get(PartnerStreamsService);
    const pool = app.get<Pool>(PG_POOL);
    for (let i = 0; i < 7; i++) {
      const child = randomUUID();
      await store.append(`child-${child}`, [ev.childRegistered(child, '01001', i)]);
    }
    await streams.caughtUp();
    const count = async (partner: string) => Number((await pool.query(`SELECT count(*) AS n FROM partner_outbox WHERE partner_id = $1`, [partner])).rows[0].n);
    await eventually(async () => (await count('moet')) === 7 && (await count('moh')) === 7, 10_000, 'both projections');
    const rows = async () =>
      (await pool.query<{ seq: string }>(`SELECT seq::text AS seq FROM partner_outbox WHERE partner_id = 'moet' ORDER BY partner_outbox.seq`)).rows.map(
        (r) => r.seq,
      );
    const before = await rows();
    expect(before).toHaveLength(7);
    await pool.query(`UPDATE partner_outbox SET written_at = now() - interval '91 days' WHERE partner_id = 'moet' AND seq <= $1`, [before[4]]);
    await eventually(async () => (await rows()).length === 2, 10_000, 'the periodic pruning');
    expect(await rows()).toEqual(before.slice(5));
    // moh (kafka channel, no relay here) keeps everything.
    expect(await count('moh')).toBe(7);
  });
});
