import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool, createTestDatabase, revertMigrations, runMigrations, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, PgCheckpointStore } from '@childledger/event-store';
import { CreatePartnerStreams1733000000000, PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { CursorPrunedError, encodeCursor, PartnerProjector, parseAgreement, Pseudonymiser } from '@childledger/partner-streams';
import { OutboxSignal, PgPartnerFeed } from './pg-partner-feed';
import { PgPartnerProjection } from './pg-partner-projection';
import { outboxRetention, PgOutboxPruner } from './pg-outbox-pruner';
import { kafkaRelayName } from './pg-relay-checkpoints';
import * as ev from './testing/domain-events';

const DAY = 86_400_000;
/** A fixed "now" for pruning; rows are written with `written_at` relative to it. */
const NOW = new Date('2030-06-01T00:00:00Z');
const daysBefore = (days: number) => new Date(NOW.getTime() - days * DAY);

describe(PgOutboxPruner.name, () => {
  let db: TestDatabase;
  /** The application role (as the services run): the pruner needs its DELETE grant. */
  let pool: Pool;
  let feed: PgPartnerFeed;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    pool = createPool(db.url, { max: 8 });
    feed = new PgPartnerFeed(pool, new OutboxSignal(), 20);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** Appends rows to the outbox as the projection does, interleaving partners; returns their sequences. */
  async function write(rows: { partner: string; writtenAt: Date }[]): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const r of rows) {
      const id = randomUUID();
      const res = await pool.query<{ seq: string }>(
        `INSERT INTO partner_outbox (partner_id, child_id, event_id, event, written_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq::text AS seq`,
        [r.partner, 'c', id, JSON.stringify({ id, type: 't', data: {} }), r.writtenAt],
      );
      out.push(BigInt(res.rows[0]!.seq));
    }
    return out;
  }
  const remaining = async (partner: string): Promise<bigint[]> =>
    (await pool.query<{ seq: string }>(`SELECT seq::text AS seq FROM partner_outbox WHERE partner_id = $1 ORDER BY partner_outbox.seq`, [partner])).rows.map(
      (r) => BigInt(r.seq),
    );

  it("deletes exactly each partner's rows older than its own retention, and no others", async () => {
    // Ages in days, oldest first (rows are written in time order, as the projection writes them).
    const ages: Record<string, number[]> = { 'p-a': [400, 100, 31, 30.5, 29, 1, 0], 'p-b': [400, 100, 89, 5], 'p-c': [2, 1] };
    const retention: Record<string, number> = { 'p-a': 30, 'p-b': 90, 'p-c': 7 };
    const rows = Object.entries(ages).flatMap(([partner, a]) => a.map((age, i) => ({ partner, writtenAt: daysBefore(age), i })));
    rows.sort((x, y) => x.i - y.i); // interleave the partners' sequences
    const seqs = await write(rows);
    const expected = (partner: string) =>
      seqs.filter((_, k) => rows[k]!.partner === partner && (NOW.getTime() - rows[k]!.writtenAt.getTime()) / DAY <= retention[partner]!);
    // A partner with no policy passed in is never touched.
    const other = await write([{ partner: 'p-untouched', writtenAt: daysBefore(1000) }]);

    const pruner = new PgOutboxPruner(pool);
    const results = await pruner.prune(
      Object.keys(ages).map((partnerId) => ({ partnerId, retentionDays: retention[partnerId]! })),
      NOW,
    );

    expect(results.map((r) => [r.partnerId, r.deleted])).toEqual([
      ['p-a', 4],
      ['p-b', 2],
      ['p-c', 0],
    ]);
    for (const p of Object.keys(ages)) expect(await remaining(p)).toEqual(expected(p));
    expect(await remaining('p-untouched')).toEqual(other);
    // The horizon is the last pruned sequence: a cursor before it is refused, at it the feed reads the first kept row.
    const a = seqs.filter((_, k) => rows[k]!.partner === 'p-a');
    expect(results[0]!.prunedThrough).toBe(a[3]);
    await expect(feed.page('p-a', a[2]!, 10)).rejects.toThrow(CursorPrunedError);
    await expect(feed.page('p-a', 0n, 10)).rejects.toMatchObject({ oldestCursor: encodeCursor('p-a', a[3]!), prunedThrough: a[3] });
    expect((await feed.page('p-a', a[3]!, 10)).sequences).toEqual(a.slice(4));
    expect((await feed.page('p-a', null, 10)).sequences).toEqual(a.slice(4));
    expect((await feed.page('p-a', a[5]!, 10)).sequences).toEqual(a.slice(6));
    // Nothing pruned for p-c: every cursor still works.
    expect((await feed.page('p-c', 0n, 10)).sequences).toEqual(expected('p-c'));
    // Pruning again deletes nothing more.
    expect((await pruner.prune([{ partnerId: 'p-a', retentionDays: 30 }], NOW))[0]!.deleted).toBe(0);
  });

  it("keeps a Kafka partner's rows its relay has not delivered (none without a checkpoint), and prunes them once delivered", async () => {
    const agreement = parseAgreement({
      id: 'p-kafka',
      name: 'K',
      sector: 'health',
      jurisdictions: ['*'],
      channels: ['http', 'kafka'],
      events: { ChildRegistered: ['sex'] },
      retentionDays: 30,
    });
    const retention = outboxRetention(agreement);
    expect(retention).toEqual({ partnerId: 'p-kafka', retentionDays: 30, relayCheckpoint: kafkaRelayName('p-kafka') });
    expect(outboxRetention(parseAgreement({ ...agreement, id: 'p-http', channels: ['http'], retentionDays: undefined }))).toEqual({
      partnerId: 'p-http',
      retentionDays: 90,
    });
    const seqs = await write(Array.from({ length: 10 }, (_, i) => ({ partner: 'p-kafka', writtenAt: daysBefore(i < 8 ? 60 : 1) })));
    const pruner = new PgOutboxPruner(pool, { batchSize: 3 });

    const none = await pruner.prunePartner(retention, NOW);
    expect(none).toMatchObject({ deleted: 0, heldByRelay: true });
    expect(await remaining('p-kafka')).toEqual(seqs);

    const checkpoints = new PgCheckpointStore(pool);
    await checkpoints.save(kafkaRelayName('p-kafka'), seqs[4]!.toString());
    const some = await pruner.prunePartner(retention, NOW);
    expect(some).toMatchObject({ deleted: 5, heldByRelay: true, prunedThrough: seqs[4] });
    expect(await remaining('p-kafka')).toEqual(seqs.slice(5));
    // The relay reads on from its checkpoint as before.
    expect((await feed.read('p-kafka', seqs[4]!.toString(), 100)).map((m) => m.position)).toEqual(seqs.slice(5).map(String));

    await checkpoints.save(kafkaRelayName('p-kafka'), seqs[9]!.toString());
    const rest = await pruner.prunePartner(retention, NOW);
    expect(rest).toMatchObject({ deleted: 3, heldByRelay: false, prunedThrough: seqs[7] });
    expect(await remaining('p-kafka')).toEqual(seqs.slice(8));
    // A relay checkpoint behind the horizon (kafka added back later) is an error, never a skip.
    await expect(feed.read('p-kafka', seqs[2]!.toString(), 100)).rejects.toThrow(CursorPrunedError);
  });

  it('deletes in bounded batches, each its own transaction, oldest first', async () => {
    const n = 53;
    const seqs = await write(Array.from({ length: n + 4 }, (_, i) => ({ partner: 'p-batch', writtenAt: daysBefore(i < n ? 100 : 3) })));
    const pruner = new PgOutboxPruner(pool, { batchSize: 10 });
    const result = await pruner.prunePartner({ partnerId: 'p-batch', retentionDays: 90 }, NOW);
    expect(result).toMatchObject({ deleted: n, batches: 6, prunedThrough: seqs[n - 1] });
    expect(await remaining('p-batch')).toEqual(seqs.slice(n));
    expect(() => new PgOutboxPruner(pool, { batchSize: 0 })).toThrow(/batchSize/);
  });

  it('never deletes past a row to keep (only a leading run of the stream), so the feed never has a hole', async () => {
    const ages = [100, 100, 1, 100, 100];
    const seqs = await write(ages.map((age) => ({ partner: 'p-hole', writtenAt: daysBefore(age) })));
    const result = await new PgOutboxPruner(pool).prunePartner({ partnerId: 'p-hole', retentionDays: 30 }, NOW);
    expect(result).toMatchObject({ deleted: 2, prunedThrough: seqs[1] });
    expect(await remaining('p-hole')).toEqual(seqs.slice(2));
  });

  it('a second pruner of the same partner at the same time skips it instead of waiting', async () => {
    await write(Array.from({ length: 5 }, () => ({ partner: 'p-lock', writtenAt: daysBefore(100) })));
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['partner-outbox-prune:p-lock']);
      expect(await new PgOutboxPruner(pool).prunePartner({ partnerId: 'p-lock', retentionDays: 30 }, NOW)).toMatchObject({ skipped: true, deleted: 0 });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await new PgOutboxPruner(pool).prunePartner({ partnerId: 'p-lock', retentionDays: 30 }, NOW)).toMatchObject({ skipped: false, deleted: 5 });
  });

  it('pruning while the projection appends: a reader that follows the stream gets every row once, in order; a lagging one gets either exact pages or CursorPrunedError', async () => {
    const store = createPostgresEventStore({ pool, pollIntervalMs: 20 });
    const agreement = parseAgreement({
      id: 'p-live',
      name: 'Live',
      sector: 'education',
      jurisdictions: ['*'],
      channels: ['http', 'kafka'],
      events: { ChildRegistered: ['sex'] },
      retentionDays: 7,
    });
    const projection = new PgPartnerProjection(
      pool,
      store,
      new PartnerProjector(agreement, new Pseudonymiser('live-secret-0000000000000'), (c) => c.slice(0, 2)),
      { batchSize: 5 },
    );
    await projection.start();
    const checkpoints = new PgCheckpointStore(pool);
    const relayName = kafkaRelayName('p-live');
    // Everything written so far is expired as of this instant: pruning chases the relay's checkpoint.
    const future = () => new Date(Date.now() + 8 * DAY);
    const total = 300;
    const appended: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        const e = ev.childRegistered(randomUUID(), '01001', i);
        await store.append(`child-${randomUUID()}`, [e]);
        appended.push(e.id);
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      writing = false;
    })();
    // The relay-like reader: reads after its checkpoint, saves it; pruning may delete what it has saved.
    const delivered: { seq: bigint; id: string }[] = [];
    const follower = (async () => {
      let after: bigint | null = null;
      while (writing || delivered.length < total) {
        const page = await feed.page('p-live', after, 7);
        page.events.forEach((e, i) => delivered.push({ seq: page.sequences[i]!, id: e.id }));
        if (page.sequences.length > 0) {
          after = page.sequences[page.sequences.length - 1]!;
          await checkpoints.save(relayName, after.toString());
        } else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // A lagging reader without any say in pruning: every page it gets must be exactly what follows its cursor.
    const lagging: { after: bigint; seqs: bigint[] }[] = [];
    let gone = 0;
    const laggard = (async () => {
      let after: bigint | null = null;
      while (writing || delivered.length < total) {
        try {
          const page = await feed.page('p-live', after, 3);
          if (after !== null) lagging.push({ after, seqs: page.sequences });
          if (page.sequences.length > 0) after = page.sequences[page.sequences.length - 1]!;
          await new Promise((r) => setTimeout(r, 10));
        } catch (err) {
          // Restart from the oldest available cursor, at once.
          if (!(err instanceof CursorPrunedError)) throw err;
          gone++;
          after = err.prunedThrough;
        }
      }
    })();
    const pruner = new PgOutboxPruner(pool, { batchSize: 4 });
    let pruned = 0;
    const pruning = (async () => {
      while (writing || delivered.length < total) {
        pruned += (await pruner.prunePartner(outboxRetention(agreement), future())).deleted;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await Promise.all([writer, follower, laggard, pruning]);
    await projection.stop();
    await store.close();
    pruned += (await pruner.prunePartner(outboxRetention(agreement), future())).deleted;

    // The follower: every appended event once, in log order, sequences increasing.
    expect(delivered.map((d) => d.id)).toEqual(appended);
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]!.seq > delivered[i - 1]!.seq).toBe(true);
    // Everything it delivered was pruned; nothing else is left.
    expect(pruned).toBe(total);
    expect(await remaining('p-live')).toEqual([]);
    // The laggard: each page is exactly the next rows of the stream after its cursor.
    const order = delivered.map((d) => d.seq);
    for (const { after, seqs } of lagging) {
      const from = order.findIndex((s) => s > after);
      expect(seqs).toEqual(from < 0 ? [] : order.slice(from, from + seqs.length));
    }
    expect(lagging.length).toBeGreaterThan(0);
    process.stderr.write(`[prune race] ${pruned} rows pruned in flight; lagging reader: ${lagging.length} pages, ${gone} × 410\n`);
  });
});

describe('PartnerOutboxRetention migration on an outbox holding rows', () => {
  /** The migrations up to this one (later ones are not what this test is about). */
  const UP_TO_RETENTION = PARTNER_STREAMS_MIGRATIONS.slice(0, 2);
  let db: TestDatabase;
  let owner: Pool;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, CreatePartnerStreams1733000000000]);
    owner = createPool(db.url, { role: null, max: 3 });
  });
  afterAll(async () => {
    await owner.end();
    await db.drop();
  });

  it('gives existing rows the upgrade instant (a full retention from the upgrade), grants DELETE, and goes down and up again', async () => {
    for (let i = 0; i < 6; i++) {
      await owner.query(`INSERT INTO partner_outbox (partner_id, child_id, event_id, event) VALUES ($1, 'c', $2, '{"data":{}}')`, [
        i % 2 ? 'old-a' : 'old-b',
        `e${i}`,
      ]);
    }
    const app = createPool(db.url, { max: 2 });
    try {
      await expect(app.query(`DELETE FROM partner_outbox WHERE partner_id = 'old-a'`)).rejects.toThrow(/permission denied/);
      expect(await runMigrations(db.url, UP_TO_RETENTION)).toEqual(['PartnerOutboxRetention1733000000001']);
      const stamps = (await owner.query<{ w: Date }>(`SELECT written_at AS w FROM partner_outbox ORDER BY seq`)).rows.map((r) => r.w.toISOString());
      expect(stamps).toHaveLength(6);
      expect(new Set(stamps).size).toBe(1);
      const upgradedAt = new Date(stamps[0]!);
      const pruner = new PgOutboxPruner(app);
      // As of the upgrade plus a day short of the retention: nothing expired.
      const early = await pruner.prune(
        [
          { partnerId: 'old-a', retentionDays: 7 },
          { partnerId: 'old-b', retentionDays: 7 },
        ],
        new Date(upgradedAt.getTime() + 6 * DAY),
      );
      expect(early.map((r) => r.deleted)).toEqual([0, 0]);
      // A new row gets its own instant.
      await app.query(`INSERT INTO partner_outbox (partner_id, child_id, event_id, event, written_at) VALUES ('old-a', 'c', 'e-new', '{"data":{}}', $1)`, [
        new Date(upgradedAt.getTime() + 30 * DAY),
      ]);
      // Past the retention: the application role deletes them (the new row stays).
      const late = await pruner.prune(
        [
          { partnerId: 'old-a', retentionDays: 7 },
          { partnerId: 'old-b', retentionDays: 7 },
        ],
        new Date(upgradedAt.getTime() + 8 * DAY),
      );
      expect(late.map((r) => r.deleted)).toEqual([3, 3]);
      expect((await owner.query(`SELECT event_id FROM partner_outbox`)).rows).toEqual([{ event_id: 'e-new' }]);

      await revertMigrations(db.url, UP_TO_RETENTION, 1);
      expect((await owner.query(`SELECT count(*)::int AS n FROM partner_outbox`)).rows[0].n).toBe(1);
      await expect(app.query(`DELETE FROM partner_outbox`)).rejects.toThrow(/permission denied/);
      expect(await runMigrations(db.url, UP_TO_RETENTION)).toEqual(['PartnerOutboxRetention1733000000001']);
      expect((await owner.query(`SELECT count(*)::int AS n FROM partner_outbox WHERE written_at IS NOT NULL`)).rows[0].n).toBe(1);
    } finally {
      await app.end();
    }
  });
});
