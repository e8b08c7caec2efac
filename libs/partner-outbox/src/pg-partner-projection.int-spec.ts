import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import {
  decodeCursor,
  encodeCursor,
  PartnerAgreement,
  PartnerCloudEvent,
  PartnerProjector,
  parseAgreement,
  Pseudonymiser,
  TOMBSTONE_TYPE,
} from '@childledger/partner-streams';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { OutboxSignal, PgPartnerFeed } from './pg-partner-feed';
import { PgPartnerProjection } from './pg-partner-projection';
import * as ev from './testing/domain-events';

const health = parseAgreement({
  id: 'moh',
  name: 'Health',
  sector: 'health',
  jurisdictions: ['01'],
  channels: ['http', 'kafka'],
  events: {
    ChildRegistered: ['sex', 'residence.communeCode', 'personal.dateOfBirth', 'personal.personalId'],
    ResidenceChanged: ['communeCode'],
    NationalIdLinked: ['personal.personalId'],
    CaseOpened: ['caseId'],
    InterventionPlanned: ['caseId', 'serviceType'],
    InterventionDelivered: ['caseId', 'serviceType', 'personal.notes'],
  },
});
const education = parseAgreement({
  id: 'moet',
  name: 'Education',
  sector: 'education',
  jurisdictions: ['*'],
  channels: ['http'],
  events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'], InterventionPlanned: ['serviceType'] },
});

describe(PgPartnerProjection.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  const signal = new OutboxSignal();
  let feed: PgPartnerFeed;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    pool = createPool(db.url, { max: 10 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    feed = new PgPartnerFeed(pool, signal, 50);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  const projection = (a: PartnerAgreement, secret: string) =>
    new PgPartnerProjection(pool, store, new PartnerProjector(a, new Pseudonymiser(secret), (c) => c.slice(0, 2)), { batchSize: 7, signal });

  async function all(partnerId: string, limit = 1000): Promise<PartnerCloudEvent[]> {
    const out: PartnerCloudEvent[] = [];
    let after = 0n;
    for (;;) {
      const page = await feed.page(partnerId, after, limit);
      if (page.events.length === 0) return out;
      out.push(...page.events);
      after = page.sequences[page.sequences.length - 1]!;
    }
  }

  it('writes each partner its own events, fields and keys, in log order; case events follow their child; erasure blanks personal fields (replay too) and sends a tombstone', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const caseA = randomUUID();
    await store.append(`child-${a}`, [ev.childRegistered(a, '01001', 1)]);
    await store.append(`child-${b}`, [ev.childRegistered(b, '79001', 2)]);
    await store.append(`child-${c}`, [ev.childRegistered(c, '01002', 3), ev.specialCircumstanceIdentified(c)]);
    await store.append(`case-${caseA}`, [ev.caseOpened(caseA, a), ev.interventionPlanned(caseA, 'health'), ev.interventionDelivered(caseA, 'health')]);
    await store.append(`child-${b}`, [ev.residenceChanged(b, '79001', '01003')]);
    await store.append(`child-${a}`, [ev.nationalIdLinked(a)]);
    const ph = projection(health, 'health-secret-0000000000');
    const pe = projection(education, 'education-secret-00000000');
    await (await ph.start()).caughtUp();
    await (await pe.start()).caughtUp();

    const h = await all('moh', 3);
    expect(h.map((e) => e.type.split('.')[3])).toEqual([
      'ChildRegistered',
      'ChildRegistered',
      'CaseOpened',
      'InterventionPlanned',
      'InterventionDelivered',
      'ResidenceChanged',
      'NationalIdLinked',
    ]);
    expect(h[0]!.data).toEqual({ sex: 'M', residence: { communeCode: '01001' }, personal: { dateOfBirth: '2016-03-14', personalId: '001316000456' } });
    expect(h[4]!.data).toEqual({ caseId: h[2]!.data!['caseId'], serviceType: 'health', personal: { notes: 'Vaccinations brought up to date.' } });
    const e = await all('moet');
    expect(e.map((x) => x.type.split('.')[3])).toEqual([
      'ChildRegistered',
      'ChildRegistered',
      'ChildRegistered',
      'SpecialCircumstanceIdentified',
      'InterventionPlanned',
    ]);
    expect(e[0]!.data).toEqual({ sex: 'M' });
    // Same child, different partners: unrelated keys.
    expect(new Set(h.filter((x) => x.id === e[0]!.id).map((x) => x.subject))).not.toContain(e[0]!.subject);

    await store.append(`child-${a}`, [ev.childPersonalDataErased(a)]);
    await eventually(async () => (await all('moh')).some((x) => x.type === TOMBSTONE_TYPE), 10_000, 'the tombstone');
    const after = await all('moh');
    const keyA = h[0]!.subject;
    const ofA = after.filter((x) => x.subject === keyA);
    expect(ofA.map((x) => x.type.split('.')[3])).toEqual([
      'ChildRegistered',
      'CaseOpened',
      'InterventionPlanned',
      'InterventionDelivered',
      'NationalIdLinked',
      'ChildTombstone',
    ]);
    for (const x of ofA) expect(JSON.stringify(x.data)).not.toMatch(/personal|001316000456|2016-03-14|Vaccinations/);
    expect(ofA[ofA.length - 1]!.data).toBeNull();
    // The other children keep theirs, and the ids did not change.
    expect(after.find((x) => x.subject !== keyA && x.type.endsWith('ChildRegistered.v1'))!.data!['personal']).toBeDefined();
    expect(after.slice(0, h.length).map((x) => x.id)).toEqual(h.map((x) => x.id));
    await ph.stop();
    await pe.stop();
  });

  it('appends awkward text (tabs, newlines, backslashes, quotes, Vietnamese) exactly as the event holds it', async () => {
    const [child, kase] = [randomUUID(), randomUUID()];
    const notes = 'Ghi chú:\tđã tiêm\nđủ "mũi" \\ C:\\hồ sơ\r\n\\N';
    const delivered = ev.interventionDelivered(kase, 'health\\t');
    delivered.data = { ...delivered.data, personal: { notes } };
    await store.append(`child-${child}`, [ev.childRegistered(child, '01004', 4)]);
    await store.append(`case-${kase}`, [ev.caseOpened(kase, child), delivered]);
    // The default batch size (the backfill's), not the small batches of the other tests.
    const p = new PgPartnerProjection(pool, store, new PartnerProjector(health, new Pseudonymiser('health-secret-0000000000'), (c) => c.slice(0, 2)), {
      signal,
    });
    await (await p.start()).caughtUp();
    // Caught up with what was visible: another session's open transaction can hold the newest events back a moment.
    await eventually(async () => (await all('moh')).some((x) => x.id === delivered.id), 10_000, 'the delivered intervention in the feed');
    await p.stop();
    const got = (await all('moh')).find((x) => x.id === delivered.id);
    expect(got?.data).toEqual({ caseId: expect.any(String), serviceType: 'health\\t', personal: { notes } });
  });

  it('a second instance of the same projection never writes a batch twice', async () => {
    const agreement = parseAgreement({ ...education, id: 'twice' });
    const first = projection(agreement, 'twice-secret-000000000000');
    const second = projection(agreement, 'twice-secret-000000000000');
    const s1 = await first.start();
    const s2 = await second.start();
    for (let i = 0; i < 20; i++) {
      const id = randomUUID();
      await store.append(`child-${id}`, [ev.childRegistered(id, '48001', i)]);
    }
    // Every append above has committed: count them in the table itself. (A read of the global log
    // stops below the oldest running transaction, and the two projections are writing meanwhile.)
    const shared = Number(
      (
        await pool.query(`SELECT count(*) AS n FROM events WHERE event_type = ANY($1::text[])`, [
          ['ChildRegistered', 'SpecialCircumstanceIdentified', 'InterventionPlanned'],
        ])
      ).rows[0].n,
    );
    await eventually(async () => (await all('twice')).length >= shared, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await first.stop();
    await second.stop();
    const ids = (await all('twice')).map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !id.endsWith('.tombstone'))).toHaveLength(shared);
    await expect(Promise.race([s1.done, s2.done, new Promise((r) => setTimeout(r, 10))])).resolves.toBeUndefined();
  });

  it('cursors: pages from any cursor equal the tail of the full read', async () => {
    const full = await all('moh');
    const page = await feed.page('moh', 2n, 3);
    expect(page.events).toEqual(
      full
        .filter((_, i) => i >= 0)
        .slice(
          full.findIndex((x) => x.id === page.events[0]!.id),
          full.findIndex((x) => x.id === page.events[0]!.id) + 3,
        ),
    );
    expect(decodeCursor('moh', encodeCursor('moh', page.sequences[2]!))).toBe(page.sequences[2]);
  });

  it('crash: a gateway process killed (SIGKILL) again and again while relaying loses nothing and reorders nothing per key; duplicates carry the same id and content', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-crash-'));
    const file = path.join(dir, 'sink.jsonl');
    const agreement = parseAgreement({
      id: 'crash',
      name: 'Crash',
      sector: 'health',
      jurisdictions: ['55'],
      channels: ['kafka'],
      events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'], ResidenceChanged: ['communeCode'] },
    });
    const children = Array.from({ length: 12 }, () => randomUUID());
    const total = 1200;
    let written = 0;
    const writer = (async () => {
      for (const c of children) await store.append(`child-${c}`, [ev.childRegistered(c, '55001')]);
      written += children.length;
      while (written < total) {
        const c = children[written % children.length]!;
        await store.append(`child-${c}`, [written % 3 ? ev.specialCircumstanceIdentified(c, (written % 14) + 1) : ev.residenceChanged(c, '55001', '55002')]);
        written++;
        if (written % 100 === 0) await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const root = path.resolve(__dirname, '../../..');
    const start = (): ChildProcess =>
      spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'testing/crash-relay.script.ts')], {
        env: { ...process.env, CRASH_DATABASE_URL: db.url, CRASH_SINK_FILE: file, CRASH_AGREEMENT: JSON.stringify(agreement) },
        stdio: ['ignore', 'pipe', 'pipe'],
      }).on('spawn', function (this: ChildProcess) {
        this.stderr!.on('data', (d: Buffer) => process.stderr.write(`[relay stderr] ${d.toString()}`));
      });
    const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
    let kills = 0;
    for (let round = 0; round < 6; round++) {
      const child = start();
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`relay exited early with ${code}`)));
      });
      const before = lines();
      await eventually(() => lines() > before || lines() >= total, 30_000, 'the relay to deliver');
      await new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 120)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills++;
    }
    await writer;
    const last = start();
    const readDelivered = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { position: string; event: PartnerCloudEvent });
    await eventually(() => new Set(readDelivered().map((d) => d.event.id)).size >= total, 60_000, 'the restarted relay to finish');
    last.kill('SIGKILL');
    await new Promise((r) => last.once('exit', r));

    const expected = await all('crash');
    const delivered = readDelivered();

    rmSync(dir, { recursive: true, force: true });
    expect(kills).toBe(6);
    expect(expected).toHaveLength(total);
    const first = new Map<string, { position: string; event: PartnerCloudEvent }>();
    for (const d of delivered) {
      const seen = first.get(d.event.id);
      if (seen) expect(d).toEqual(seen);
      else first.set(d.event.id, d);
    }
    // Nothing lost, nothing extra.
    expect(new Set(first.keys())).toEqual(new Set(expected.map((e) => e.id)));
    // Per key, the first deliveries are in the stream's order.
    for (const key of new Set(expected.map((e) => e.subject))) {
      expect([...first.values()].filter((d) => d.event.subject === key).map((d) => d.event.id)).toEqual(
        expected.filter((e) => e.subject === key).map((e) => e.id),
      );
    }
    process.stderr.write(`[crash test] ${kills} kills, ${delivered.length} deliveries for ${total} events (${delivered.length - total} duplicates)\n`);
  });
});
