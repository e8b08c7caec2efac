import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { PROJECTIONS } from './projections';
import { checkpointName } from './projection-runner';
import { dropShadows, rebuildProjections } from './rebuild';
import { childStory, LedgerFixture } from './testing';
import { UnitResolver } from './unit-resolver';

const units = loadAdministrativeUnits();
describe('projector crash and compare', () => {
  let db: TestDatabase;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    owner = createPool(db.url, { role: null, max: 3 });
    store = createPostgresEventStore({ pool });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  it('a projector killed (SIGKILL) again and again, mid-batch and under load, ends with read models equal to a full rebuild', async () => {
    const fx = new LedgerFixture(store, units);
    const CHILDREN = 260;
    let written = 0;
    let killing = true;
    // Load for as long as the kills go on (and at least CHILDREN stories).
    const writer = (async () => {
      for (let n = 0; n < CHILDREN || killing; n++) {
        await childStory(fx, n);
        written = n + 1;
      }
    })();
    let writerError: unknown;
    writer.catch((e: unknown) => (writerError = e));
    const root = path.resolve(__dirname, '../../..');
    const start = (): ChildProcess =>
      spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'testing/crash-projector.script.ts')], {
        env: { ...process.env, CRASH_DATABASE_URL: db.url, CRASH_PAUSE_MS: '4' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const progress = async () =>
      (await owner.query<{ checkpoint: string }>(`SELECT string_agg(checkpoint, ',' ORDER BY subscription_name) AS checkpoint FROM subscription_checkpoints`))
        .rows[0]!.checkpoint ?? '';
    let stderr = '';
    let kills = 0;
    for (let round = 0; round < 12; round++) {
      const child = start();
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`projector exited early with ${code}: ${stderr}`)));
      });
      const before = await progress();
      await eventually(
        async () => {
          if (writerError) throw writerError;
          return (await progress()) !== before;
        },
        30_000,
        `the projector to commit a batch (round ${round}, ${written} children written, stderr: ${stderr})`,
      );
      await new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 200)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills++;
    }
    killing = false;
    await writer;
    expect(written).toBeGreaterThanOrEqual(CHILDREN);

    // The last run catches up with the whole log, then it is killed too.
    const last = start();
    last.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const head = (await store.readAll({ maxCount: 1_000_000 })).checkpoint!;
    await eventually(
      async () => (await owner.query(`SELECT count(*)::int AS n FROM subscription_checkpoints WHERE checkpoint = $1`, [head])).rows[0].n === PROJECTIONS.length,
      60_000,
      'every projection to reach the head of the log',
    );
    last.kill('SIGKILL');
    await new Promise((r) => last.once('exit', r));
    expect(kills).toBe(12);
    // A batch that hit a checkpoint mismatch or an error would show here; none is expected.
    expect(stderr).toBe('');

    const rebuild = await rebuildProjections({
      store,
      ownerPool: owner,
      projections: PROJECTIONS,
      units: new UnitResolver(units),
      suffix: '__verify',
      switchOver: false,
      batchSize: 333,
    });
    expect(rebuild.checkpoint).toBe(head);
    for (const [live, shadow] of Object.entries(rebuild.shadows)) {
      const count = Number((await owner.query(`SELECT count(*) AS n FROM ${live}`)).rows[0].n);
      const missing = Number((await owner.query(`SELECT count(*) AS n FROM (SELECT * FROM ${shadow} EXCEPT ALL SELECT * FROM ${live}) d`)).rows[0].n);
      const extra = Number((await owner.query(`SELECT count(*) AS n FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${shadow}) d`)).rows[0].n);
      expect({ table: live, missing, extra, empty: count === 0 }).toEqual({ table: live, missing: 0, extra: 0, empty: false });
    }
    const audit = Number((await owner.query(`SELECT count(*) AS n FROM rm_audit_index`)).rows[0].n);
    expect(audit).toBe((await store.readAll({ maxCount: 1_000_000 })).events.length);
    expect(
      (await owner.query(`SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1`, [checkpointName('audit')])).rows[0].checkpoint,
    ).toBe(head);
    await dropShadows(owner, rebuild.shadows);
  });
});
