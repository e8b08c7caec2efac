import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import type { Projection } from './projection';
import { auditProjection, casesProjection, childrenProjection } from './projections';
import { dropShadows, rebuildProjections } from './rebuild';
import { UnitResolver } from './unit-resolver';

const units = new UnitResolver(loadAdministrativeUnits());

/** Rebuilds in lanes (one connection per projection, pages read once): what a lane does is seen by the others only through the result. */
describe('rebuildProjections in lanes', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url, { max: 4 });
    store = createPostgresEventStore({ pool });
    for (let n = 0; n < 30; n++) {
      const childId = `lane-${n}`;
      await store.append(`child-${childId}`, [
        {
          id: randomUUID(),
          type: 'ChildRegistered',
          data: {
            childId,
            sex: 'F',
            residence: { communeCode: '00004', effectiveFrom: '2025-08-01' },
            registeredAt: '2025-08-01T03:00:00Z',
            personal: { fullName: `Lê Thị ${n}` },
          },
          metadata: { actor: { userId: 'u', role: 'data_officer', unit: '00004' } },
        },
        {
          id: randomUUID(),
          type: 'RiskIdentified',
          data: { childId, group: 9, effectiveFrom: '2025-08-02', personal: { description: 'nguy cơ\tvà\\' } },
          metadata: {},
        },
      ]);
      await store.append(`case-${childId}`, [
        {
          id: randomUUID(),
          type: 'CaseOpened',
          data: {
            caseId: childId,
            childId,
            channel: 'hotline_111',
            openedAt: '2025-08-03T01:00:00Z',
            assessmentDueAt: '2025-08-04T01:00:00Z',
            personal: { description: 'x' },
          },
          metadata: {},
        },
      ]);
      await store.append(
        `case-${childId}`,
        [
          {
            id: randomUUID(),
            type: 'CaseAssessed',
            data: { caseId: childId, riskLevel: 'medium', assessedAt: '2025-08-03T05:00:00Z', onTime: true },
            metadata: {},
          },
        ],
        { expectedRevision: 0 },
      );
      await store.append(
        `child-${childId}`,
        [{ id: randomUUID(), type: 'RiskResolved', data: { childId, group: 9, effectiveTo: '2025-09-01', outcome: 'removed_from_risk' }, metadata: {} }],
        { expectedRevision: 1 },
      );
    }
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('gives the same tables whatever the batch size and however few connections the pool allows', async () => {
    const wide = createPool(db.url, { role: null, max: 4 });
    const narrow = createPool(db.url, { role: null, max: 1 });
    try {
      const projections = [childrenProjection, casesProjection, auditProjection];
      const phases: string[] = [];
      const a = await rebuildProjections({
        store,
        ownerPool: wide,
        projections,
        units,
        suffix: '__wide',
        switchOver: false,
        batchSize: 7,
        onProgress: (p) => {
          if (p.phase && p.phase !== phases[phases.length - 1]) phases.push(p.phase);
        },
      });
      expect(a.events).toBe(150);
      // Once a lane is through, the phase does not go back to the bulk while the others finish.
      expect(phases).toEqual(['bulk', 'indexes', 'done']);
      expect((await wide.query(`SELECT count(*)::int AS n FROM rm_child_spells__wide WHERE NOT is_open`)).rows[0].n).toBe(30);
      // Every index of the live tables exists on the shadows (the deferred ones built by the lanes at the end).
      const indexes = await wide.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = ANY($1))::int - (SELECT count(*) FROM pg_indexes WHERE tablename = ANY($2))::int AS n`,
        [Object.keys(a.shadows), Object.values(a.shadows)],
      );
      expect(indexes.rows[0]!.n).toBe(0);
      // Autovacuum, off while the bulk filled them, is back on, and the planner has their statistics.
      const tables = await wide.query<{ relname: string; reloptions: string[] | null; analysed: boolean }>(
        `SELECT c.relname, c.reloptions, s.last_analyze IS NOT NULL AS analysed
           FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = ANY($1) ORDER BY c.relname`,
        [Object.values(a.shadows)],
      );
      expect(tables.rows).toEqual(
        Object.values(a.shadows)
          .sort()
          .map((relname) => ({ relname, reloptions: null, analysed: true })),
      );
      for (const [live, shadow] of Object.entries(a.shadows)) await wide.query(`CREATE TABLE ${live}__kept AS SELECT * FROM ${shadow}`);
      await dropShadows(wide, a.shadows);

      const b = await rebuildProjections({ store, ownerPool: narrow, projections, units, suffix: '__narrow', switchOver: false, batchSize: 1000 });
      expect(b.checkpoint).toBe(a.checkpoint);
      for (const live of Object.keys(a.shadows)) {
        const kept = `${live}__kept`;
        const diff = await wide.query(
          `SELECT count(*)::int AS n FROM ((SELECT * FROM ${kept} EXCEPT ALL SELECT * FROM ${b.shadows[live]}) UNION ALL (SELECT * FROM ${b.shadows[live]} EXCEPT ALL SELECT * FROM ${kept})) d`,
        );
        const rows = await wide.query(`SELECT count(*)::int AS n FROM ${kept}`);
        expect({ live, diff: diff.rows[0].n, empty: rows.rows[0].n === 0 }).toEqual({ live, diff: 0, empty: live === 'rm_reconciliation_queue' });
        await wide.query(`DROP TABLE ${kept}`);
      }
      await dropShadows(wide, b.shadows);
    } finally {
      await wide.end();
      await narrow.end();
    }
  });

  it('fails with the error of the projection that failed, without waiting for the other lanes to finish the log', async () => {
    const owner = createPool(db.url, { role: null, max: 4 });
    try {
      let calls = 0;
      const failing: Projection = {
        ...casesProjection,
        apply: async (events, tx, ctx) => {
          if (++calls === 3) throw new Error('cases broke on its third batch');
          await casesProjection.apply(events, tx, ctx);
        },
      };
      let auditBatches = 0;
      const counting: Projection = {
        ...auditProjection,
        apply: async (events, tx, ctx) => {
          auditBatches++;
          await auditProjection.apply(events, tx, ctx);
        },
      };
      await expect(
        rebuildProjections({
          store,
          ownerPool: owner,
          projections: [childrenProjection, failing, counting],
          units,
          suffix: '__failing',
          switchOver: false,
          batchSize: 5,
        }),
      ).rejects.toThrow('cases broke on its third batch');
      // The lanes stop: the audit lane is at most a few pages past the failure, not through all 30.
      expect(auditBatches).toBeLessThan(30);
      await dropShadows(owner, {
        rm_children: 'rm_children__failing',
        rm_child_spells: 'rm_child_spells__failing',
        rm_reconciliation_queue: 'rm_reconciliation_queue__failing',
        rm_cases: 'rm_cases__failing',
        rm_case_facts: 'rm_case_facts__failing',
        rm_audit_index: 'rm_audit_index__failing',
        rm_audit_streams: 'rm_audit_streams__failing',
      });
      // Every connection went back to the pool, none left inside a transaction.
      expect(owner.totalCount - owner.idleCount).toBe(0);
      const open = await owner.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(open.rows[0].n).toBe(0);
    } finally {
      await owner.end();
    }
  });
});
