import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, revertMigrations, runMigrations, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import {
  AddIndicatorDeltas1795470000002,
  CreateReadModels1795470000000,
  IndicatorMergedRecords1795470000061,
  READ_MODEL_MIGRATIONS,
} from '@childledger/read-models/migrations';
import { PROJECTIONS } from './projections';
import { nextDueAt } from './projections/cases.projection';
import { checkpointName, ProjectionRunner } from './projection-runner';
import { rebuildProjections } from './rebuild';
import { computeIndicatorsFromSpells, LedgerFixture, writeIndicatorFixture } from './testing';
import { computeIndicators, parsePeriod } from './indicators';
import { UnitResolver } from './unit-resolver';

const units = loadAdministrativeUnits();

describe('read-model migrations and rebuilds on tables holding data', () => {
  let db: TestDatabase;
  let owner: Pool;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, CreateReadModels1795470000000]);
    owner = createPool(db.url, { role: null, max: 3 });
  });

  afterAll(async () => {
    await owner.end();
    await db.drop();
  });

  it("AddCaseNextDue fills next_due_at of cases written in the old shape with the projection's rule, and goes down and up again", async () => {
    // Rows as the first version of the table held them (no next_due_at).
    const old = [
      { case_id: 'k1', status: 'report_received', assessment_due_at: '2025-09-01T00:00:00Z', plan_due_at: null, review_due_at: null },
      { case_id: 'k2', status: 'assessed', assessment_due_at: '2025-09-01T00:00:00Z', plan_due_at: '2025-09-05T00:00:00Z', review_due_at: null },
      {
        case_id: 'k3',
        status: 'implementing',
        assessment_due_at: '2025-09-01T00:00:00Z',
        plan_due_at: '2025-09-05T00:00:00Z',
        review_due_at: '2025-10-05T00:00:00Z',
      },
      {
        case_id: 'k4',
        status: 'closed',
        assessment_due_at: '2025-09-01T00:00:00Z',
        plan_due_at: '2025-09-05T00:00:00Z',
        review_due_at: '2025-10-05T00:00:00Z',
      },
    ];
    for (const c of old) {
      await owner.query(
        `INSERT INTO rm_cases (case_id, child_id, status, assessment_due_at, plan_due_at, review_due_at, revision, last_event_at) VALUES ($1, 'c', $2, $3, $4, $5, 0, now())`,
        [c.case_id, c.status, c.assessment_due_at, c.plan_due_at, c.review_due_at],
      );
    }
    expect(await runMigrations(db.url, READ_MODEL_MIGRATIONS.slice(0, 2))).toEqual(['AddCaseNextDue1795470000001']);
    const rows = (await owner.query(`SELECT case_id, next_due_at FROM rm_cases ORDER BY case_id`)).rows;
    expect(rows.map((r) => r.next_due_at?.toISOString() ?? null)).toEqual(old.map((c) => (nextDueAt(c) ? new Date(nextDueAt(c)!).toISOString() : null)));
    expect(rows.map((r) => r.next_due_at?.toISOString().slice(0, 10) ?? null)).toEqual(['2025-09-01', '2025-09-05', '2025-10-05', null]);
    await revertMigrations(db.url, READ_MODEL_MIGRATIONS, 1);
    expect((await owner.query(`SELECT count(*)::int AS n FROM rm_cases`)).rows[0].n).toBe(4);
    expect(await runMigrations(db.url, READ_MODEL_MIGRATIONS.slice(0, 2))).toEqual(['AddCaseNextDue1795470000001']);
    await owner.query('DELETE FROM rm_cases');
    expect(await runMigrations(db.url, READ_MODEL_MIGRATIONS)).toEqual(READ_MODEL_MIGRATIONS.slice(2).map((m) => m.name));
  });

  it('rebuilds while a live projector keeps serving, switches over atomically, and the projector carries on from the new checkpoint without applying anything twice', async () => {
    const pool = createPool(db.url, { max: 6 });
    const store = createPostgresEventStore({ pool, pollIntervalMs: 20 });
    const fx = new LedgerFixture(store, units);
    await writeIndicatorFixture(fx);
    const errors: unknown[] = [];
    const runner = new ProjectionRunner({
      store,
      pool,
      projections: PROJECTIONS,
      units: new UnitResolver(units),
      batchSize: 5,
      retryDelayMs: 20,
      onError: (_n, e) => errors.push(e),
    });
    await runner.start();
    await runner.caughtUp();
    // Readers see the old tables during the rebuild; more events arrive meanwhile.
    const reads: number[] = [];
    let writing = true;
    const more = (async () => {
      for (let n = 0; writing || n < 5; n++) {
        await fx.child(
          `late-${n}`,
          'RegisterChild',
          {
            childId: `late-${n}`,
            fullName: `Vũ Thị Muộn ${n}`,
            dateOfBirth: '2016-01-01',
            sex: 'F',
            residence: { communeCode: '00008', effectiveFrom: '2025-08-01' },
          },
          { at: '2025-09-01T03:00:00Z' },
        );
        reads.push(Number((await pool.query('SELECT count(*) AS n FROM rm_children')).rows[0].n));
      }
    })();
    const result = await rebuildProjections({ store, ownerPool: owner, projections: PROJECTIONS, units: new UnitResolver(units), batchSize: 10 });
    writing = false;
    await more;
    await new Promise((r) => setTimeout(r, 300));
    const head = (await store.readAll({ maxCount: 100_000 })).checkpoint;
    for (let i = 0; i < 100; i++) {
      const n = (await owner.query(`SELECT count(*)::int AS n FROM subscription_checkpoints WHERE checkpoint = $1`, [head])).rows[0].n;
      if (n === PROJECTIONS.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await runner.stop();
    expect(errors).toEqual([]);
    expect(result.events).toBeGreaterThan(40);
    expect(reads.every((n) => n >= 7)).toBe(true);
    // Shadow tables are gone, indexes have their usual names back, the application role can still write.
    expect((await owner.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%__rebuild%' OR relname LIKE '%__rb'`)).rows[0].n).toBe(0);
    expect((await owner.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'rm_audit_index_child_idx'`)).rows[0].n).toBe(1);
    const total = (await store.readAll({ maxCount: 100_000 })).events.length;
    expect((await owner.query(`SELECT count(*)::int AS n FROM rm_audit_index`)).rows[0].n).toBe(total);
    expect((await owner.query(`SELECT count(DISTINCT event_id)::int AS n FROM rm_audit_index`)).rows[0].n).toBe(total);
    expect(
      (await owner.query(`SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1`, [checkpointName('children')])).rows[0].checkpoint,
    ).toBe(head);
    const verify = await rebuildProjections({
      store,
      ownerPool: owner,
      projections: PROJECTIONS,
      units: new UnitResolver(units),
      suffix: '__verify',
      switchOver: false,
    });
    for (const [live, shadow] of Object.entries(verify.shadows)) {
      const diff = Number(
        (
          await owner.query(
            `SELECT count(*) AS n FROM ((SELECT * FROM ${shadow} EXCEPT ALL SELECT * FROM ${live}) UNION ALL (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${shadow})) d`,
          )
        ).rows[0].n,
      );
      expect({ live, diff }).toEqual({ live, diff: 0 });
      await owner.query(`DROP TABLE ${shadow}`);
    }
    await store.close();
    await pool.end();
  });
});

describe('AddIndicatorDeltas on a database whose read models already hold data', () => {
  let db: TestDatabase;
  let owner: Pool;

  beforeAll(async () => {
    // Every read-model migration but this one and the one that alters its table (the others after it in time do not depend on it).
    db = await createTestDatabase([
      ...EVENT_STORE_MIGRATIONS,
      ...READ_MODEL_MIGRATIONS.filter((m) => m !== AddIndicatorDeltas1795470000002 && m !== IndicatorMergedRecords1795470000061),
    ]);
    owner = createPool(db.url, { role: null, max: 3 });
  });

  afterAll(async () => {
    await owner.end();
    await db.drop();
  });

  it('adds empty tables; the projector backfills them by replaying the log, and the indicators equal those computed from the existing tables', async () => {
    const pool = createPool(db.url, { max: 6 });
    const store = createPostgresEventStore({ pool, pollIntervalMs: 20 });
    await writeIndicatorFixture(new LedgerFixture(store, units));
    // The projector as it was before the migration: every projection but the indicators, at the head of the log.
    const before = PROJECTIONS.filter((p) => p.name !== 'indicators');
    expect(before).toHaveLength(PROJECTIONS.length - 1);
    let runner = new ProjectionRunner({ store, pool, projections: before, units: new UnitResolver(units), batchSize: 9 });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();

    expect(await runMigrations(db.url, READ_MODEL_MIGRATIONS)).toEqual(['AddIndicatorDeltas1795470000002', 'IndicatorMergedRecords1795470000061']);
    expect((await owner.query('SELECT count(*)::int AS n FROM rm_indicator_deltas')).rows[0].n).toBe(0);
    // The new projection has no checkpoint: the projector starts it from the beginning of the log.
    runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(units), batchSize: 9 });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
    const checkpoints = (await owner.query(`SELECT subscription_name, checkpoint FROM subscription_checkpoints ORDER BY 1`)).rows;
    expect(new Set(checkpoints.map((c) => c.checkpoint)).size).toBe(1);
    expect(checkpoints.map((c) => c.subscription_name)).toContain(checkpointName('indicators'));
    for (const [unitCode, oldUnits, label] of [
      ['00008', false, '2025'],
      ['01', false, '2025'],
      ['01', true, '2024'],
      ['00007', true, '2025'],
      ['01', false, '2025-08'],
    ] as const) {
      const req = { unitCode, provinceCode: '01', period: parsePeriod(label)!, oldUnits, suppressSmallCounts: false };
      expect(await computeIndicators(pool, req)).toEqual(await computeIndicatorsFromSpells(pool, req));
    }
    expect(
      (await computeIndicators(pool, { unitCode: '00008', provinceCode: '01', period: parsePeriod('2025')!, oldUnits: false, suppressSmallCounts: false }))
        .childrenOnRecord,
    ).toBe(4);

    // Down (IndicatorMergedRecords, then AddIndicatorDeltas) removes the tables and the checkpoint, so that up again starts the backfill again.
    await revertMigrations(db.url, READ_MODEL_MIGRATIONS, 2);
    expect(
      (await owner.query(`SELECT count(*)::int AS n FROM subscription_checkpoints WHERE subscription_name = $1`, [checkpointName('indicators')])).rows[0].n,
    ).toBe(0);
    expect((await owner.query(`SELECT to_regclass('rm_indicator_deltas') AS t`)).rows[0].t).toBeNull();
    await store.close();
    await pool.end();
  });
});
