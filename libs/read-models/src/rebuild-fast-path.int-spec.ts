import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { INDICATOR_BULK, PROJECTIONS } from './projections';
import { ProjectionRunner } from './projection-runner';
import { dropShadows, rebuildProjections } from './rebuild';
import { childStory, LedgerFixture } from './testing';
import { UnitResolver } from './unit-resolver';

const units = loadAdministrativeUnits();

/**
 * A rebuild's bulk takes shortcuts the live projector does not (the indicators' cell deltas summed
 * in memory across batches and written once, spilled to a temporary table when they are many;
 * lanes on their own connections): it must still leave exactly the tables the live projector
 * leaves on the same log.
 */
describe('rebuild fast path against the live projector', () => {
  let db: TestDatabase;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  const spillKeys = INDICATOR_BULK.spillKeys;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    owner = createPool(db.url, { role: null, max: 4 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 20 });
    const fx = new LedgerFixture(store, units);
    // Four writers at once: the children's and cases' events interleave in the log, so a child's
    // events fall in several batches of the projector and of the rebuild.
    await Promise.all(
      Array.from({ length: 4 }, async (_x, w) => {
        for (let n = w; n < 120; n += 4) await childStory(fx, n);
      }),
    );
    const live = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(units), batchSize: 17 });
    await live.start();
    await live.caughtUp();
    await live.stop();
  });

  afterAll(async () => {
    INDICATOR_BULK.spillKeys = spillKeys;
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  async function differences(shadows: Record<string, string>): Promise<{ table: string; missing: number; extra: number; empty: boolean }[]> {
    const out = [];
    for (const [live, shadow] of Object.entries(shadows)) {
      const n = async (sql: string) => Number((await owner.query<{ n: string }>(sql)).rows[0]!.n);
      out.push({
        table: live,
        missing: await n(`SELECT count(*) AS n FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${shadow}) d`),
        extra: await n(`SELECT count(*) AS n FROM (SELECT * FROM ${shadow} EXCEPT ALL SELECT * FROM ${live}) d`),
        empty: (await n(`SELECT count(*) AS n FROM ${live}`)) === 0,
      });
    }
    return out;
  }

  it.each([
    ['three lanes, cells summed in memory', 3, 50_000, 41],
    ['three lanes, cells spilled to a temporary table every few batches', 3, 150, 41],
    ['one lane, every batch spilled', 1, 1, 250],
  ])('%s: the same rows in every table', async (_label, lanes, spill, batchSize) => {
    INDICATOR_BULK.spillKeys = spill;
    const result = await rebuildProjections({
      store,
      ownerPool: owner,
      projections: PROJECTIONS,
      units: new UnitResolver(units),
      suffix: '__fast',
      switchOver: false,
      batchSize,
      lanes,
    });
    try {
      expect(Object.keys(result.projectionSeconds).sort()).toEqual(PROJECTIONS.map((p) => p.name).sort());
      const diff = await differences(result.shadows);
      expect(diff).toEqual(diff.map((d) => ({ ...d, missing: 0, extra: 0 })));
      // The comparison means something: the tables the bench leans on are full.
      for (const table of ['rm_children', 'rm_audit_index', 'rm_indicator_cells', 'rm_child_search', 'rm_case_facts']) {
        expect({ table, empty: diff.find((d) => d.table === table)?.empty }).toEqual({ table, empty: false });
      }
      // No spill table is left behind in the session that made it (nor anywhere else).
      const temp = await owner.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%\\_spill' AND relpersistence = 't'`);
      expect(temp.rows[0].n).toBe(0);
    } finally {
      await dropShadows(owner, result.shadows);
    }
  });
});
