// `npm run bench -- faults`: fault drills. Each drill injects faults while a load runs and then
// compares what clients were told was acknowledged with what the log and the read models hold:
//   faults.<drill>.injected / .lost / .duplicated / .diverged (and more where useful).
// Drills (FAULTS_DRILLS=a,b to run some): pg_restart, projector_kill, relay_kill, poison.
// Every drill bounds its own time and runs against this machine only. `value` is the drill's
// figure, `baseline` what the platform promises (0 lost, 0 duplicated, 0 diverged), so a ratio is
// not meaningful here: the JSON lines carry `promise` instead.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, freePort, startDatabaseServer, TEST_ADMIN_URL_VARIABLE, createTestDatabase, DatabaseServer } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, PgDeadLetterStore } from '@childledger/event-store';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { OutboxSignal, PgPartnerFeed } from '@childledger/partner-outbox';
import { PartnerCloudEvent, parseAgreement } from '@childledger/partner-streams';
import { ALL_MIGRATIONS, PlatformConfig } from '@childledger/platform';
import { createTestAuth } from '@childledger/platform/testing';
import { checkpointName, PROJECTIONS, ProjectionRunner, rebuildProjections, dropShadows, UnitResolver } from '@childledger/read-models';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { childStory, LedgerFixture } from '@childledger/read-models/testing';
import * as partnerEvents from '../../libs/partner-outbox/src/testing/domain-events';
import { createRegistryApi } from '../../apps/registry-api/src/registry-api.app';
import { registration } from '../../apps/registry-api/test/registry-api.harness';
import type { BenchContext } from './bench-support';

const ROOT = path.resolve(__dirname, '..', '..');
const units = loadAdministrativeUnits();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function emitDrill(ctx: BenchContext, drill: string, figures: Record<string, number>, extra: Record<string, unknown> = {}): void {
  const promised: Record<string, number> = { lost: 0, duplicated: 0, diverged: 0, reordered: 0, accepted: 0 };
  for (const [name, value] of Object.entries(figures)) {
    ctx.emit({ bench: `faults.${drill}.${name}`, value, unit: 'count', ...(name in promised ? { promise: promised[name] } : {}), ...extra });
  }
}

function script(file: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

function readyLine(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('child did not start')), timeoutMs);
    child.stdout!.once('data', () => {
      clearTimeout(t);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

/**
 * pg_restart: the registry API under 8 writers registering children with an Idempotency-Key each
 * (retried with the same key after a failure, as a client is told to), while its PostgreSQL is
 * stopped and started again and again. lost: acknowledged registrations missing from the log;
 * duplicated: one key registered twice; diverged: the acknowledged id is not the child the log holds.
 */
async function pgRestart(ctx: BenchContext): Promise<void> {
  const RESTARTS = 20;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faults-pg-'));
  // The embedded server runs as the postgres user when started by root: it must reach the folder.
  const { chmodSync } = await import('node:fs');
  chmodSync(dataDir, 0o777);
  const port = await freePort();
  const dir = path.join(dataDir, 'pg');
  let server: DatabaseServer = await startDatabaseServer({ dataDir: dir, port, ephemeral: false, settings: { max_connections: 100 } });
  const previousAdmin = process.env[TEST_ADMIN_URL_VARIABLE];
  process.env[TEST_ADMIN_URL_VARIABLE] = server.adminUrl;
  let app: INestApplication | undefined;
  try {
    const db = await createTestDatabase(ALL_MIGRATIONS);
    const auth = await createTestAuth();
    const config = Object.assign(new PlatformConfig(), {
      LOG_LEVEL: 'silent' as const,
      CHILDLEDGER_KEK: randomBytes(32).toString('base64'),
      CHILDLEDGER_DEDUPE_KEY: randomBytes(32).toString('base64'),
    });
    app = await createRegistryApi(config, db.url, { auth: auth.auth, poolSize: 12 });
    const apiPort = await freePort();
    await app.listen(apiPort, '127.0.0.1');
    const base = `http://127.0.0.1:${apiPort}/api/v1`;
    const token = await auth.issuer.tokenFor(auth.users.communeOfficer);
    const acked = new Map<string, string>();
    let attempts = 0;
    let failures = 0;
    let writing = true;
    const register = async (): Promise<void> => {
      const key = randomUUID();
      const body = JSON.stringify(registration({ fullName: `Phạm Văn Thử ${acked.size}`, personalId: undefined }));
      for (let attempt = 0; ; attempt++) {
        attempts++;
        try {
          const res = await fetch(`${base}/children`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          const json = (await res.json().catch(() => ({}))) as { id?: string };
          if ((res.status === 201 || res.status === 200) && json.id) {
            acked.set(key, json.id);
            return;
          }
          failures++;
        } catch {
          failures++;
        }
        if (attempt > 200) throw new Error('a registration was never acknowledged');
        await sleep(Math.min(50 * 2 ** Math.min(attempt, 5), 1000));
      }
    };
    const writers = Array.from({ length: 8 }, async () => {
      while (writing) await register();
    });
    let restarts = 0;
    for (let i = 0; i < RESTARTS; i++) {
      await sleep(jitter(300, 900));
      await server.stop();
      await sleep(jitter(50, 400));
      server = await startDatabaseServer({ dataDir: dir, port, ephemeral: false, settings: { max_connections: 100 } });
      restarts++;
      ctx.log(`pg_restart: ${restarts}/${RESTARTS} restarts, ${acked.size} registrations acknowledged`);
    }
    await sleep(1500);
    writing = false;
    await Promise.all(writers);
    const owner = createPool(db.url, { role: null, max: 2 });
    const rows = (
      await owner.query<{ key: string; stream_id: string }>(
        `SELECT metadata->>'idempotencyKey' AS key, stream_id FROM events WHERE event_type = 'ChildRegistered' AND metadata ? 'idempotencyKey'`,
      )
    ).rows;
    await owner.end();
    const byKey = new Map<string, string[]>();
    for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.stream_id]);
    let lost = 0;
    let duplicated = 0;
    let diverged = 0;
    for (const [key, id] of acked) {
      const streams = byKey.get(key) ?? [];
      if (streams.length === 0) lost++;
      if (streams.length > 1) duplicated++;
      if (streams.length >= 1 && !streams.includes(`child-${id}`)) diverged++;
    }
    // Registrations in the log no client was told about are not a loss (their client gave up or the
    // ack was cut); with retries by key there should be none left over.
    const unacknowledged = [...byKey.keys()].filter((k) => !acked.has(k)).length;
    emitDrill(
      ctx,
      'pg_restart',
      { injected: restarts, lost, duplicated, diverged, acknowledged: acked.size, unacknowledged, attempts, failed_attempts: failures },
      { writers: 8 },
    );
  } finally {
    await app?.close().catch(() => undefined);
    await server.stop().catch(() => undefined);
    if (previousAdmin === undefined) delete process.env[TEST_ADMIN_URL_VARIABLE];
    else process.env[TEST_ADMIN_URL_VARIABLE] = previousAdmin;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** projector_kill: the projector SIGKILLed at random points under load; read models compared with a rebuild. */
async function projectorKill(ctx: BenchContext): Promise<void> {
  const KILLS = 24;
  const db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
  const pool = createPool(db.url, { max: 6 });
  const owner = createPool(db.url, { role: null, max: 3 });
  const store = createPostgresEventStore({ pool });
  try {
    const fx = new LedgerFixture(store, units);
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (let n = 0; writing || n < 200; n++) {
        await childStory(fx, n);
        written = n + 1;
      }
    })();
    const progress = async () =>
      (await owner.query<{ c: string | null }>(`SELECT string_agg(checkpoint, ',' ORDER BY subscription_name) AS c FROM subscription_checkpoints`)).rows[0]!
        .c ?? '';
    let kills = 0;
    let stderr = '';
    for (let round = 0; round < KILLS; round++) {
      const child = script('libs/read-models/src/testing/crash-projector.script.ts', { CRASH_DATABASE_URL: db.url, CRASH_PAUSE_MS: '4' });
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await readyLine(child);
      const before = await progress();
      await until(async () => (await progress()) !== before, 30_000, 'the projector to commit a batch');
      await sleep(jitter(10, 200));
      await kill(child);
      kills++;
      if (kills % 6 === 0) ctx.log(`projector_kill: ${kills}/${KILLS} kills, ${written} children written`);
    }
    writing = false;
    await writer;
    const last = script('libs/read-models/src/testing/crash-projector.script.ts', { CRASH_DATABASE_URL: db.url, CRASH_PAUSE_MS: '0' });
    last.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const head = (await store.readAll({ maxCount: 1_000_000 })).checkpoint!;
    await until(
      async () => (await owner.query(`SELECT count(*)::int AS n FROM subscription_checkpoints WHERE checkpoint = $1`, [head])).rows[0].n === PROJECTIONS.length,
      120_000,
      'every projection to reach the head of the log',
    );
    await kill(last);
    const rebuild = await rebuildProjections({
      store,
      ownerPool: owner,
      projections: PROJECTIONS,
      units: new UnitResolver(units),
      suffix: '__faults',
      switchOver: false,
    });
    let lost = 0;
    let diverged = 0;
    for (const [live, shadow] of Object.entries(rebuild.shadows)) {
      lost += Number((await owner.query(`SELECT count(*) AS n FROM (SELECT * FROM ${shadow} EXCEPT ALL SELECT * FROM ${live}) d`)).rows[0].n);
      diverged += Number((await owner.query(`SELECT count(*) AS n FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${shadow}) d`)).rows[0].n);
    }
    await dropShadows(owner, rebuild.shadows);
    const events = (await store.readAll({ maxCount: 1_000_000 })).events.length;
    const audit = (await owner.query<{ n: number; d: number }>(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM rm_audit_index`)).rows[0]!;
    emitDrill(ctx, 'projector_kill', {
      injected: kills,
      lost,
      duplicated: audit.n - audit.d,
      diverged,
      events,
      errors_logged: stderr === '' ? 0 : stderr.split('\n').filter(Boolean).length,
    });
  } finally {
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  }
}

/** relay_kill: the partner relay killed mid-delivery; what the sink received, per key, compared with the outbox. */
async function relayKill(ctx: BenchContext): Promise<void> {
  const KILLS = 24;
  const db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
  const pool = createPool(db.url, { max: 6 });
  const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  const dir = mkdtempSync(path.join(tmpdir(), 'faults-relay-'));
  const file = path.join(dir, 'sink.jsonl');
  try {
    const agreement = parseAgreement({
      id: 'faults',
      name: 'Faults',
      sector: 'health',
      jurisdictions: ['55'],
      channels: ['kafka'],
      events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'], ResidenceChanged: ['communeCode'] },
    });
    const keys = Array.from({ length: 20 }, () => randomUUID());
    const total = 3000;
    let written = 0;
    const writer = (async () => {
      for (const c of keys) await store.append(`child-${c}`, [partnerEvents.childRegistered(c, '55001')]);
      written = keys.length;
      while (written < total) {
        const c = keys[written % keys.length]!;
        await store.append(`child-${c}`, [
          written % 3 ? partnerEvents.specialCircumstanceIdentified(c, (written % 14) + 1) : partnerEvents.residenceChanged(c, '55001', '55002'),
        ]);
        written++;
        if (written % 100 === 0) await sleep(20);
      }
    })();
    const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
    const env = { CRASH_DATABASE_URL: db.url, CRASH_SINK_FILE: file, CRASH_AGREEMENT: JSON.stringify(agreement) };
    let kills = 0;
    for (let round = 0; round < KILLS; round++) {
      const child = script('libs/partner-outbox/src/testing/crash-relay.script.ts', env);
      await readyLine(child);
      const before = lines();
      await until(() => lines() > before || (written >= total && lines() >= total), 30_000, 'the relay to deliver');
      await sleep(jitter(10, 150));
      await kill(child);
      kills++;
    }
    await writer;
    const last = script('libs/partner-outbox/src/testing/crash-relay.script.ts', env);
    await readyLine(last);
    const delivered = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { position: string; event: PartnerCloudEvent });
    await until(() => new Set(delivered().map((d) => d.event.id)).size >= total, 120_000, 'the relay to deliver everything');
    await kill(last);
    const feed = new PgPartnerFeed(pool, new OutboxSignal(), 50);
    const expected: PartnerCloudEvent[] = [];
    for (let after = 0n; ;) {
      const page = await feed.page('faults', after, 1000);
      if (page.events.length === 0) break;
      expected.push(...page.events);
      after = page.sequences[page.sequences.length - 1]!;
    }
    const got = delivered();
    const first = new Map<string, { position: string; event: PartnerCloudEvent }>();
    let diverged = 0;
    for (const d of got) {
      const seen = first.get(d.event.id);
      if (!seen) first.set(d.event.id, d);
      else if (JSON.stringify(seen) !== JSON.stringify(d)) diverged++;
    }
    const expectedIds = new Set(expected.map((e) => e.id));
    const lost = [...expectedIds].filter((id) => !first.has(id)).length;
    const unexpected = [...first.keys()].filter((id) => !expectedIds.has(id)).length;
    let reordered = 0;
    for (const key of new Set(expected.map((e) => e.subject))) {
      const want = expected.filter((e) => e.subject === key).map((e) => e.id);
      const have = [...first.values()].filter((d) => d.event.subject === key).map((d) => d.event.id);
      if (JSON.stringify(want) !== JSON.stringify(have)) reordered++;
    }
    emitDrill(ctx, 'relay_kill', {
      injected: kills,
      lost,
      duplicated: 0,
      diverged: diverged + unexpected,
      reordered,
      redelivered: got.length - first.size,
      events: expected.length,
    });
  } finally {
    await store.close();
    await pool.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** poison: malformed events appended while every projection runs; each subscription keeps going and each bad event is a dead letter. */
async function poison(ctx: BenchContext): Promise<void> {
  const BAD = 24;
  const db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
  const pool = createPool(db.url, { max: 8 });
  const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  const runner = new ProjectionRunner({
    store,
    pool,
    projections: PROJECTIONS,
    units: new UnitResolver(units),
    batchSize: 50,
    poison: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 40, retryPollMs: 200 },
    log: { warn: () => undefined, error: () => undefined },
  });
  await runner.start();
  try {
    const fx = new LedgerFixture(store, units);
    const good: string[] = [];
    for (let i = 0; i < BAD; i++) {
      const id = `good-${i}`;
      await fx.child(
        id,
        'RegisterChild',
        { childId: id, fullName: `Lê Thị Tốt ${i}`, dateOfBirth: '2015-01-02', sex: 'F', residence: { communeCode: '00004', effectiveFrom: '2025-07-01' } },
        { at: '2025-07-01T08:00:00Z' },
      );
      good.push(id);
      // A registration without a residence and with a field of the wrong type: every projection that reads it trips over it.
      await store.append(
        `child-bad-${i}`,
        [{ id: randomUUID(), type: 'ChildRegistered', data: { childId: `bad-${i}`, residence: 42, personal: 'not an object' } }],
        { expectedRevision: 'no_stream' },
      );
    }
    const after = 'good-after';
    await fx.child(
      after,
      'RegisterChild',
      { childId: after, fullName: 'Lê Thị Sau', dateOfBirth: '2015-01-02', sex: 'F', residence: { communeCode: '00004', effectiveFrom: '2025-07-01' } },
      { at: '2025-07-01T09:00:00Z' },
    );
    good.push(after);
    const head = (await store.readAll({ maxCount: 1_000_000 })).checkpoint!;
    await until(
      async () => (await pool.query(`SELECT count(*)::int AS n FROM subscription_checkpoints WHERE checkpoint = $1`, [head])).rows[0].n === PROJECTIONS.length,
      120_000,
      'every projection to move past the poison events',
    );
    const present = (await pool.query<{ child_id: string }>(`SELECT child_id FROM rm_children WHERE child_id = ANY($1)`, [good])).rows.length;
    const letters = await new PgDeadLetterStore(pool).list({ subscription: checkpointName('children') });
    const stuck = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM subscription_checkpoints WHERE checkpoint <> $1`, [head])).rows[0]!.n;
    emitDrill(ctx, 'poison', {
      injected: BAD,
      lost: good.length - present,
      dead_lettered: letters.filter((l) => l.status === 'failed').length,
      missing_dead_letters: BAD - letters.filter((l) => l.status === 'failed').length,
      stuck_subscriptions: stuck,
      duplicated: 0,
      diverged: 0,
    });
  } finally {
    await runner.stop();
    await store.close();
    await pool.end();
    await db.drop();
  }
}

const DRILLS: Record<string, (ctx: BenchContext) => Promise<void>> = { pg_restart: pgRestart, projector_kill: projectorKill, relay_kill: relayKill, poison };

export async function run(ctx: BenchContext): Promise<void> {
  const wanted = (process.env['FAULTS_DRILLS'] ?? Object.keys(DRILLS).join(',')).split(',').filter(Boolean);
  const unknown = wanted.filter((d) => !DRILLS[d]);
  if (unknown.length > 0) throw new Error(`unknown drill ${unknown.join(', ')} (known: ${Object.keys(DRILLS).join(', ')})`);
  // The drills that need a fresh database each make one on the bench's server.
  process.env[TEST_ADMIN_URL_VARIABLE] ??= ctx.adminUrl;
  for (const drill of wanted) {
    const started = Date.now();
    ctx.log(`${drill}: starting`);
    await DRILLS[drill]!(ctx);
    ctx.log(`${drill}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}
