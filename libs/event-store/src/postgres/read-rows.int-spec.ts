import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { APPLICATION_ROLE, createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { formatCheckpoint } from './checkpoint';
import { EVENT_STORE_MIGRATIONS, PostgresEventStore } from './index';

/**
 * Reads select a compact row (checkpoint formatted by the server, `recorded_at` as epoch
 * milliseconds, rows as arrays with per-query parsers). These tests hold them to what the earlier
 * reads gave: every column selected as itself and parsed by pg's default parsers.
 */

/** The earlier read path: one object per row, pg's default type parsers (postgres-date for timestamptz). */
async function readTheOldWay(pool: Pool, where = 'TRUE'): Promise<RecordedEvent[]> {
  const { rows } = await pool.query<{
    position_text: string;
    transaction_text: string;
    stream_id: string;
    stream_revision: string;
    event_id: string;
    event_type: string;
    schema_version: number;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    recorded_at: Date;
  }>(
    `SELECT global_position::text AS position_text, transaction_id::text AS transaction_text, stream_id, stream_revision,
            event_id, event_type, schema_version, data, metadata, recorded_at
       FROM events WHERE ${where} ORDER BY events.transaction_id, events.global_position`,
  );
  return rows.map((r) => ({
    id: r.event_id,
    type: r.event_type,
    schemaVersion: r.schema_version,
    data: r.data,
    metadata: r.metadata,
    streamId: r.stream_id,
    revision: Number(r.stream_revision),
    position: formatCheckpoint({ transactionId: r.transaction_text, globalPosition: r.position_text }),
    recordedAt: r.recorded_at,
  }));
}

async function readAllOf(store: PostgresEventStore, maxCount = 1000): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let after: string | null = null; ;) {
    const page = await store.readAll({ after, maxCount });
    if (page.events.length === 0) return all;
    all.push(...page.events);
    after = page.checkpoint;
  }
}

/** Awkward instants: microsecond parts either side of a millisecond, before 1970, years 0–99 and BC, far ahead. */
const INSTANTS: { at: string; iso?: string }[] = [
  { at: '2024-01-02 03:04:05.123456+00', iso: '2024-01-02T03:04:05.123Z' },
  { at: '2024-01-02 03:04:05.000001+00', iso: '2024-01-02T03:04:05.000Z' },
  { at: '2024-01-02 03:04:05.000999+00', iso: '2024-01-02T03:04:05.000Z' },
  { at: '2024-01-02 03:04:05.999999+00', iso: '2024-01-02T03:04:05.999Z' },
  { at: '2024-01-02 03:04:05.9995+00', iso: '2024-01-02T03:04:05.999Z' },
  { at: '2024-01-02 03:04:05.57+00', iso: '2024-01-02T03:04:05.570Z' },
  { at: '2024-01-02 03:04:05.291+00', iso: '2024-01-02T03:04:05.291Z' },
  { at: '2024-12-31 23:59:59.999999+00', iso: '2024-12-31T23:59:59.999Z' },
  { at: '2024-02-29 16:59:59.999500+00', iso: '2024-02-29T16:59:59.999Z' },
  { at: '2024-03-31 01:00:00.000001+00', iso: '2024-03-31T01:00:00.000Z' },
  { at: '1970-01-01 00:00:00+00', iso: '1970-01-01T00:00:00.000Z' },
  { at: '1969-12-31 23:59:59.999999+00', iso: '1969-12-31T23:59:59.999Z' },
  { at: '1969-12-31 23:59:59.000001+00', iso: '1969-12-31T23:59:59.000Z' },
  { at: '1900-01-01 00:00:00.000500+00', iso: '1900-01-01T00:00:00.000Z' },
  { at: '0050-06-15 12:00:00.25+00' },
  { at: '0044-03-15 12:00:00.75+00 BC' },
  { at: '2262-04-11 23:47:16.854775+00', iso: '2262-04-11T23:47:16.854Z' },
];

const SESSION_TIME_ZONES = ['UTC', 'Asia/Ho_Chi_Minh', 'America/St_Johns'];

describe('PostgresEventStore reads: rows parsed as before', () => {
  let db: TestDatabase;
  let owner: Pool;
  const pools: Pool[] = [];

  /** An application-role pool whose sessions use this time zone (it changes pg's timestamptz text). */
  function appPool(timeZone: string): Pool {
    const pool = createPool(db.url, { role: null, max: 2, options: `-c role=${APPLICATION_ROLE} -c timezone=${timeZone}` });
    pools.push(pool);
    return pool;
  }

  beforeAll(async () => {
    db = await createTestDatabase(EVENT_STORE_MIGRATIONS);
    owner = createPool(db.url, { role: null, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await owner.end();
    await db.drop();
  });

  it('gives recordedAt, positions and every other field exactly as before, at awkward instants and in any session time zone', async () => {
    const writer = new PostgresEventStore({ pool: appPool('UTC') });
    const events: NewEvent[] = INSTANTS.map((_, i) => ({
      id: randomUUID(),
      type: i % 2 ? 'ChildRegistered' : 'CaseOpened',
      schemaVersion: 1 + (i % 3),
      data: { n: i, name: 'Nguyễn Thị Thu Hà', nested: { list: [1, 'two', null, { deep: true }], empty: {} }, big: 12345678901234, quote: 'a"b\\c\n' },
      metadata: { actor: { userId: `u-${i}`, role: 'data_officer', unit: '00004' }, correlationId: randomUUID(), ...(i % 4 ? {} : { reason: 'why' }) },
    }));
    // Several streams and transactions, so that revisions and transaction ids vary.
    await writer.append('awkward-a', events.slice(0, 6));
    await writer.append('awkward-b', events.slice(6, 9));
    await writer.append('awkward-a', events.slice(9));
    await owner.query(`UPDATE events e SET recorded_at = r.at FROM jsonb_to_recordset($1) AS r(id uuid, at timestamptz) WHERE e.event_id = r.id`, [
      JSON.stringify(INSTANTS.map(({ at }, i) => ({ id: events[i]!.id, at }))),
    ]);

    for (const timeZone of SESSION_TIME_ZONES) {
      const pool = appPool(timeZone);
      const store = new PostgresEventStore({ pool });
      const before = await readTheOldWay(pool);
      expect(before).toHaveLength(INSTANTS.length);

      const all = await readAllOf(store, 4);
      expect(all).toEqual(before);
      // toEqual compares Dates by value; say it explicitly, to the millisecond, with the type.
      for (const [i, e] of all.entries()) {
        expect(e.recordedAt).toBeInstanceOf(Date);
        expect(e.recordedAt.getTime()).toBe(before[i]!.recordedAt.getTime());
        expect(typeof e.revision).toBe('number');
        expect(typeof e.schemaVersion).toBe('number');
      }
      const byId = new Map(all.map((e) => [e.id, e]));
      for (const [i, { iso }] of INSTANTS.entries()) {
        if (iso) expect([INSTANTS[i]!.at, byId.get(events[i]!.id)!.recordedAt.toISOString()]).toEqual([INSTANTS[i]!.at, iso]);
      }

      expect(await store.readStream('awkward-a')).toEqual(before.filter((e) => e.streamId === 'awkward-a').sort((x, y) => x.revision - y.revision));
      expect(await store.readStream('awkward-a', { direction: 'backwards', fromRevision: 7, maxCount: 3 })).toEqual(
        before
          .filter((e) => e.streamId === 'awkward-a' && e.revision <= 7)
          .sort((x, y) => y.revision - x.revision)
          .slice(0, 3),
      );
      await store.close();
    }
  });

  it('keeps positions beyond 2^53 exact, and resumes after them', async () => {
    const pool = appPool('UTC');
    const store = new PostgresEventStore({ pool });
    await owner.query(`ALTER TABLE events ALTER COLUMN global_position RESTART WITH 9007199254740993`);
    const first = await store.append(
      `large-${randomUUID()}`,
      [0, 1, 2].map((n) => ({ id: randomUUID(), type: 'Large', data: { n } })),
    );
    await store.append(`large-${randomUUID()}`, [{ id: randomUUID(), type: 'Large', data: { n: 3 } }]);

    const before = await readTheOldWay(pool, `event_type = 'Large'`);
    expect(before.map((e) => e.position.split(':')[1])).toEqual(['9007199254740993', '9007199254740994', '9007199254740995', '9007199254740996']);
    const large = (await readAllOf(store, 2)).filter((e) => e.type === 'Large');
    expect(large).toEqual(before);
    expect(large[2]!.position).toBe(first.position);

    const after = await store.readAll({ after: first.position, maxCount: 10 });
    expect(after.events.map((e) => e.data)).toEqual([{ n: 3 }]);
    expect(after.checkpoint).toBe(before[3]!.position);
    await store.close();
  });
});
