// `npm run bench -- faults`: fault drills. Each drill injects faults while a load runs and then
// compares what clients were told was acknowledged with what the log and the read models hold:
//   faults.<drill>.injected / .lost / .duplicated / .diverged (and more where useful).
// Drills (FAULTS_DRILLS=a,b to run some): pg_restart, projector_kill, relay_kill, poison, bad_inputs, registry_outage.
// Every drill bounds its own time and runs against this machine only. `value` is the drill's
// figure, `baseline` what the platform promises (0 lost, 0 duplicated, 0 diverged), so a ratio is
// not meaningful here: the JSON lines carry `promise` instead.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, freePort, startDatabaseServer, TEST_ADMIN_URL_VARIABLE, createTestDatabase, DatabaseServer } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, PgDeadLetterStore } from '@childledger/event-store';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { OutboxSignal, PgPartnerFeed } from '@childledger/partner-outbox';
import { PartnerCloudEvent, parseAgreement } from '@childledger/partner-streams';
import { PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth } from '@childledger/platform/testing';
import { checkpointName, PROJECTIONS, ProjectionRunner, rebuildProjections, dropShadows, UnitResolver } from '@childledger/read-models';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { childStory, LedgerFixture } from '@childledger/read-models/testing';
import * as partnerEvents from '../../libs/partner-outbox/src/testing/domain-events';
import { createRegistryApi } from '../../apps/registry-api/src/registry-api.app';
import { registration } from '../../apps/registry-api/test/registry-api.harness';
import { createQueryApi } from '../../apps/query-api/src/query-api.app';
import { IdentityHarness } from '../identity-e2e/identity.harness';
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

/**
 * How many projections' checkpoints are at (or past) the last event appended. Not `readAll`'s
 * checkpoint: it stops before events whose transaction is not yet behind every open one, so read
 * right after the writes it can be short of the head, which the projections then pass.
 */
async function projectionsAt(pool: { query: Pool['query'] }): Promise<number> {
  const res = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM subscription_checkpoints
      WHERE subscription_name LIKE 'projection:%' AND split_part(checkpoint, ':', 2)::bigint >= (SELECT coalesce(max(global_position), 0) FROM events)`,
  );
  return res.rows[0]!.n;
}

async function projectionsAtHead(pool: { query: Pool['query'] }): Promise<boolean> {
  return (await projectionsAt(pool)) === PROJECTIONS.length;
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
      // The drills send as few users: the per-user limits stay on, far above what they send.
      USER_RATE_LIMIT_PER_MINUTE: 100_000_000,
      IMPORT_RATE_LIMIT_PER_MINUTE: 100_000,
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
    await until(async () => projectionsAtHead(owner), 120_000, 'every projection to reach the head of the log');
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
    await until(async () => projectionsAtHead(pool), 120_000, 'every projection to move past the poison events');
    const present = (await pool.query<{ child_id: string }>(`SELECT child_id FROM rm_children WHERE child_id = ANY($1)`, [good])).rows.length;
    const letters = await new PgDeadLetterStore(pool).list({ subscription: checkpointName('children') });
    const stuck = PROJECTIONS.length - (await projectionsAt(pool));
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

interface BadRequest {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** An import answers 201 with its report even when every row is rejected: only what it wrote counts. */
  judgedByWrites?: boolean;
}

/** A zip whose one sheet inflates far beyond its size (a bomb): 300 MB of one repeated byte. */
async function zipBomb(): Promise<Buffer> {
  const { deflateRawSync } = await import('node:zlib');
  const { crc32 } = await import('node:zlib');
  const entries: { name: string; data: Buffer; size: number; crc: number }[] = [];
  const sheet = Buffer.alloc(300 * 1024 * 1024, 0x20);
  entries.push({ name: 'xl/worksheets/sheet1.xml', data: deflateRawSync(sheet, { level: 9 }), size: sheet.length, crc: crc32(sheet) });
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, e.data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(e.crc >>> 0, 16);
    c.writeUInt32LE(e.data.length, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += local.length + name.length + e.data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/**
 * bad_inputs: malformed requests (fields, types, sizes, encodings, an archive bomb, formula cells,
 * forged, expired and unsigned tokens) against the registry API and the query API; `accepted`
 * counts those answered below 400 or after which the log holds more events than before.
 */
async function badInputs(ctx: BenchContext): Promise<void> {
  const db = await createTestDatabase(ALL_MIGRATIONS);
  const auth = await createTestAuth();
  const config = Object.assign(new PlatformConfig(), {
    LOG_LEVEL: 'silent' as const,
    CHILDLEDGER_KEK: randomBytes(32).toString('base64'),
    CHILDLEDGER_DEDUPE_KEY: randomBytes(32).toString('base64'),
  });
  const registry = await createRegistryApi(config, db.url, { auth: auth.auth, poolSize: 8, bodyLimit: '1mb' });
  const query = await createQueryApi(config, db.url, { auth: auth.auth });
  const [rPort, qPort] = [await freePort(), await freePort()];
  await registry.listen(rPort, '127.0.0.1');
  await query.listen(qPort, '127.0.0.1');
  const R = `http://127.0.0.1:${rPort}/api/v1`;
  const Q = `http://127.0.0.1:${qPort}/api/v1`;
  const owner = createPool(db.url, { role: null, max: 2 });
  try {
    const officer = await auth.issuer.tokenFor(auth.users.communeOfficer);
    const caseWorker = await auth.issuer.tokenFor(auth.users.provinceCaseWorker);
    const json = { 'content-type': 'application/json' };
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const seeded = await fetch(`${R}/children`, { method: 'POST', headers: { ...json, ...as(officer) }, body: JSON.stringify(registration()) });
    const childId = ((await seeded.json()) as { id: string }).id;

    // Tokens: forged, unsigned, expired, for another audience or issuer, from another key.
    const [h, p] = officer.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const other = await (await import('@childledger/platform')).DevIssuer.create('urn:childledger:test-issuer');
    const tokens: Record<string, string | undefined> = {
      none: undefined,
      garbage: 'not-a-token',
      unsigned: `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      forgedSignature: `${h}.${p}.${Buffer.from(randomBytes(64)).toString('base64url')}`,
      forgedClaims: `${h}.${b64({ ...payload, role: 'admin', provinces: [], communes: [] })}.${officer.split('.')[2]}`,
      expired: await auth.issuer.tokenFor(auth.users.communeOfficer, { expiresIn: '-1h' }),
      otherAudience: await auth.issuer.tokenFor(auth.users.communeOfficer, { audience: 'urn:other' }),
      otherIssuer: await auth.issuer.tokenFor(auth.users.communeOfficer, { issuer: 'urn:other-issuer' }),
      otherKey: await other.tokenFor(auth.users.communeOfficer),
      hs256: `${b64({ alg: 'HS256', typ: 'JWT' })}.${p}.${randomBytes(32).toString('base64url')}`,
    };
    const requests: BadRequest[] = [];
    for (const [name, token] of Object.entries(tokens)) {
      const headers = token ? as(token) : {};
      requests.push({
        name: `token ${name}: register`,
        method: 'POST',
        url: `${R}/children`,
        headers: { ...json, ...headers },
        body: JSON.stringify(registration()),
      });
      requests.push({
        name: `token ${name}: read a child`,
        method: 'GET',
        url: `${R}/children/${childId}`,
        headers: { ...headers, 'x-purpose': 'case_work' },
      });
      requests.push({
        name: `token ${name}: search`,
        method: 'GET',
        url: `${Q}/children/search?name=Ha`,
        headers: { ...headers, 'x-purpose': 'case_work' },
      });
    }
    const badFields: Record<string, unknown[]> = {
      fullName: [42, null, '', ' ', 'x'.repeat(300), 'Nguyễn\u0000Hà', ['Hà'], { a: 1 }, '\ud800Hà'],
      dateOfBirth: [42, null, '', '2016-02-30', '14/03/2016', '2999-01-01', '1990-01-01', '2016-3-4'],
      sex: ['X', 42, 'male', ['F']],
      personalId: ['123', 42, 'abcdefghijkl', '0013160123456789', ['001316012345']],
      residence: [
        null,
        42,
        'Ba Đình',
        { communeCode: '99999', effectiveFrom: '2025-09-01' },
        { communeCode: '00004', effectiveFrom: '2999-01-01' },
        { communeCode: '25747', effectiveFrom: '2025-09-01' },
        { communeCode: '00004' },
      ],
      motherName: [42, 'x'.repeat(300), ['a']],
    };
    for (const [field, values] of Object.entries(badFields)) {
      for (const value of values) {
        requests.push({
          name: `register ${field}=${JSON.stringify(value)?.slice(0, 20)}`,
          method: 'POST',
          url: `${R}/children`,
          headers: { ...json, ...as(officer) },
          body: JSON.stringify({ ...registration(), [field]: value }),
        });
      }
    }
    const bodies: [string, string | Buffer, string][] = [
      ['truncated JSON', '{"fullName": "Hà"', 'application/json'],
      ['JSON array', '[1,2,3]', 'application/json'],
      ['JSON string', '"hello"', 'application/json'],
      ['text body', 'fullName=Hà', 'text/plain'],
      ['2 MB body', JSON.stringify({ ...registration(), notes: 'x'.repeat(2 * 1024 * 1024) }), 'application/json'],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x66, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'application/json'],
      ['prototype pollution', '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"x": 1}}}', 'application/json'],
    ];
    for (const [name, body, type] of bodies)
      requests.push({ name: `register: ${name}`, method: 'POST', url: `${R}/children`, headers: { 'content-type': type, ...as(officer) }, body });
    const commands: [string, string, unknown, string?][] = [
      ['correction without a reason', `/children/${childId}/corrections`, { changes: { fullName: 'Nguyễn Thị Hằng' } }],
      ['correction with no change', `/children/${childId}/corrections`, { changes: {}, reason: 'x' }],
      ['correction of an unknown field', `/children/${childId}/corrections`, { changes: { role: 'admin' }, reason: 'x' }],
      ['move to an unknown commune', `/children/${childId}/residence-changes`, { communeCode: '99999', effectiveFrom: '2025-10-01' }],
      ['move before the current residence', `/children/${childId}/residence-changes`, { communeCode: '00008', effectiveFrom: '2000-01-01' }],
      ['group 0', `/children/${childId}/special-circumstances`, { group: 0, effectiveFrom: '2025-09-15' }],
      ['group 15', `/children/${childId}/special-circumstances`, { group: 15, effectiveFrom: '2025-09-15' }],
      ['group "a"', `/children/${childId}/special-circumstances`, { group: 'a', effectiveFrom: '2025-09-15' }],
      ['merge into itself', `/children/${childId}/merge`, { survivingChildId: childId, reason: 'x' }],
      ['merge into an unknown child', `/children/${childId}/merge`, { survivingChildId: randomUUID(), reason: 'x' }],
      ['erasure by a data officer', `/children/${childId}/erasure`, { reason: 'x' }],
      ['command on an unknown child', `/children/${randomUUID()}/special-circumstances`, { group: 3, effectiveFrom: '2025-09-15' }],
      ['command on a malformed id', `/children/not-a-uuid/special-circumstances`, { group: 3, effectiveFrom: '2025-09-15' }],
      ['stale If-Match', `/children/${childId}/special-circumstances`, { group: 3, effectiveFrom: '2025-09-15' }, '"99"'],
      ['malformed If-Match', `/children/${childId}/special-circumstances`, { group: 3, effectiveFrom: '2025-09-15' }, 'W/"x"'],
      [
        'case for an unknown child',
        `/cases`,
        { childId: randomUUID(), channel: 'hotline_111', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() },
      ],
      [
        'case with a future report',
        `/cases`,
        { childId, channel: 'hotline_111', concern: 'neglect', protectionLevel: 'support', reportedAt: '2999-01-01T00:00:00Z' },
      ],
      [
        'case with an unknown channel',
        `/cases`,
        { childId, channel: 'pigeon', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() },
      ],
    ];
    for (const [name, path_, body, ifMatch] of commands) {
      const token = path_ === '/cases' ? caseWorker : officer;
      requests.push({
        name,
        method: 'POST',
        url: `${R}${path_}`,
        headers: { ...json, ...as(token), ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        body: JSON.stringify(body),
      });
    }
    requests.push({
      name: 'idempotency key reused for another body',
      method: 'POST',
      url: `${R}/children`,
      headers: { ...json, ...as(officer), 'idempotency-key': 'drill-key' },
      body: JSON.stringify(registration({ fullName: 'Trần Văn Một' })),
    });
    requests.push({
      name: 'idempotency key reused for another body (second)',
      method: 'POST',
      url: `${R}/children`,
      headers: { ...json, ...as(officer), 'idempotency-key': 'drill-key' },
      body: JSON.stringify(registration({ fullName: 'Trần Văn Hai' })),
    });
    const csv = (rows: string) => Buffer.from(`full_name,date_of_birth,sex,commune\n${rows}`);
    const imports: [string, Buffer, string][] = [
      [
        'formula cells',
        csv('"=HYPERLINK(""http://x"")",2016-03-14,F,00004\n+SUM(1),2016-03-14,F,00004\n@cmd,2016-03-14,F,00004\n-2+3,2016-03-14,F,00004\n'),
        'text/csv',
      ],
      ['archive bomb', await zipBomb(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['not a zip', Buffer.from('PK\u0003\u0004 this is not a workbook'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['no header', Buffer.from(''), 'text/csv'],
      ['binary as CSV', randomBytes(4096), 'text/csv'],
    ];
    for (const [name, body, type] of imports)
      requests.push({
        name: `import: ${name}`,
        method: 'POST',
        url: `${R}/imports`,
        headers: { 'content-type': type, ...as(officer) },
        body,
        judgedByWrites: true,
      });
    const reads: [string, string, Record<string, string>][] = [
      ['read without a purpose', `${R}/children/${childId}`, {}],
      ['read with an unknown purpose', `${R}/children/${childId}`, { 'x-purpose': 'curiosity' }],
      ['search without a purpose', `${Q}/children/search?name=Ha`, {}],
      ['search limit -1', `${Q}/children/search?name=Ha&limit=-1`, { 'x-purpose': 'case_work' }],
      ['search limit 100000', `${Q}/children/search?name=Ha&limit=100000`, { 'x-purpose': 'case_work' }],
      ['search with a 10 kB query', `${Q}/children/search?name=${'a'.repeat(10_000)}`, { 'x-purpose': 'case_work' }],
      ['search with a bad birth date', `${Q}/children/search?dateOfBirth=2016-13-45`, { 'x-purpose': 'case_work' }],
      ['search with a forged cursor', `${Q}/children/search?name=Ha&after=${Buffer.from('{"x":1}').toString('base64url')}`, { 'x-purpose': 'case_work' }],
      ['indicators with a bad period', `${Q}/indicators?unit=01&from=2025-13-01&to=2025-01-01`, {}],
      ['audit CSV as a data officer', `${Q}/audit/events.csv?childId=${childId}`, { 'x-purpose': 'inspection' }],
    ];
    for (const [name, url, headers] of reads) requests.push({ name, method: 'GET', url, headers: { ...headers, ...as(officer) } });

    const eventCount = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
    const accepted: string[] = [];
    let answered5xx = 0;
    for (const r of requests) {
      const before = await eventCount();
      const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body }).catch(() => null);
      const status = res?.status ?? 0;
      await res?.arrayBuffer().catch(() => undefined);
      const changed = (await eventCount()) !== before;
      // The second of the two requests reusing one idempotency key is the bad one; the first is a plain registration.
      const legitimate = r.name === 'idempotency key reused for another body';
      if (!legitimate && ((status < 400 && !r.judgedByWrites) || changed)) accepted.push(`${r.name} (${status}${changed ? ', wrote events' : ''})`);
      if (status >= 500) answered5xx++;
    }
    for (const a of accepted) ctx.log(`bad_inputs: accepted ${a}`);
    emitDrill(ctx, 'bad_inputs', { tried: requests.length - 1, accepted: accepted.length, answered_5xx: answered5xx }, { services: 'registry-api, query-api' });
  } finally {
    await owner.end();
    await registry.close();
    await query.close();
    await db.drop();
  }
}

/**
 * registry_outage: the national database stand-in returns errors, hangs and rate limits while the
 * identity adapter links children; the decisions afterwards are compared with a fault-free run on
 * the same children. lost: a child with no decision within the bound; duplicated: more than one
 * decision for a child; diverged: a decision (type and linked number) other than the fault-free one.
 */
async function registryOutage(ctx: BenchContext): Promise<void> {
  const CHILDREN = 60;
  const kek = randomBytes(32).toString('base64');
  const run = async (faulty: boolean) => {
    const h = await IdentityHarness.start({
      households: 200,
      kek,
      faults: faulty ? { errorRate: 0.3, timeoutRate: 0.08, timeoutHangMs: 1500, rateLimitPerSecond: 15 } : {},
    });
    try {
      await h.startAdapter({ timeoutMs: 500, initialBackoffMs: 20, maxBackoffMs: 200, halfOpenAfterMs: 300 }, { retryDelayMs: 50, maxRetryDelayMs: 400 });
      const residents = h.children().slice(0, CHILDREN);
      const ids: string[] = [];
      for (const [i, r] of residents.entries()) ids.push(await h.registerResident(r, { parents: i % 2 === 0, personalId: i % 4 === 1 }));
      const decisions: { type: string; personalId: string | null; count: number }[] = [];
      const deadline = Date.now() + 180_000;
      for (const id of ids) {
        let found: Awaited<ReturnType<typeof h.decisionsOf>> = [];
        while (Date.now() < deadline) {
          found = await h.decisionsOf(id);
          if (found.length > 0) break;
          await sleep(50);
        }
        const first = found[0];
        decisions.push({
          type: first?.type ?? 'none',
          personalId: ((first?.data['personal'] as { personalId?: string } | null | undefined)?.personalId ?? null) as string | null,
          count: found.length,
        });
      }
      await sleep(500);
      for (const [i, id] of ids.entries()) decisions[i]!.count = (await h.decisionsOf(id)).length;
      const counts = { ...h.faults.counts };
      return { decisions, injected: counts.error + counts.hang + counts.rate_limited, counts };
    } finally {
      await h.stop();
    }
  };
  ctx.log('registry_outage: fault-free run');
  const clean = await run(false);
  ctx.log('registry_outage: run with errors, hangs and rate limits');
  const faulty = await run(true);
  let lost = 0;
  let duplicated = 0;
  let diverged = 0;
  for (const [i, d] of faulty.decisions.entries()) {
    const want = clean.decisions[i]!;
    if (d.type === 'none') lost++;
    else if (d.type !== want.type || d.personalId !== want.personalId) diverged++;
    if (d.count > 1) duplicated++;
  }
  emitDrill(ctx, 'registry_outage', {
    injected: faulty.injected,
    lost,
    duplicated,
    diverged,
    children: CHILDREN,
    errors: faulty.counts.error,
    hangs: faulty.counts.hang,
    rate_limited: faulty.counts.rate_limited,
    clean_run_undecided: clean.decisions.filter((d) => d.type === 'none').length,
  });
}

const DRILLS: Record<string, (ctx: BenchContext) => Promise<void>> = {
  pg_restart: pgRestart,
  projector_kill: projectorKill,
  relay_kill: relayKill,
  poison,
  bad_inputs: badInputs,
  registry_outage: registryOutage,
};

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
