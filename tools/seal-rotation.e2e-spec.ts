import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { createPool, createTestDatabase, freePort, TestDatabase, testRuntimeRoleUrl } from '@childledger/database';
import { createDevIssuerApp, DEV_USERS, DevIssuer } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { eventually } from '@childledger/event-store/testing';
import { buildInclusionProof, EncryptingPostgresEventStore, LocalKeyEncryptionKey, PgDataKeyring, SealKey } from '@childledger/trust';
import { childRegistered } from '@childledger/trust/testing';

const root = path.resolve(__dirname, '..');
const node = (script: string) => ['-r', path.join(root, 'tools/register.js'), path.join(root, script)];

/**
 * docs/trust.md "Seal key rotation", end to end: the log sealer runs as production runs it (its own
 * process, CHILDLEDGER_SEAL_KEY from the environment), is stopped and restarted with a new key, and
 * the inspector's CLI (verify-log, export-log) checks the log signed by both keys.
 */
describe('seal key rotation', () => {
  let db: TestDatabase;
  let issuerApp: INestApplication;
  let issuer: DevIssuer;
  let issuerUrl: string;
  let pool: Pool;
  let owner: Pool;
  let keyring: PgDataKeyring;
  let store: EncryptingPostgresEventStore;
  let sealer: ChildProcess | undefined;
  let dir: string;
  const kek = randomBytes(32).toString('base64');
  const seedA = SealKey.generateSeed();
  const seedB = SealKey.generateSeed();
  const keyA = SealKey.fromBase64Seed(seedA);
  const keyB = SealKey.fromBase64Seed(seedB);

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    const issuerPort = await freePort();
    issuerUrl = `http://127.0.0.1:${issuerPort}`;
    issuer = await DevIssuer.create(issuerUrl);
    issuerApp = await createDevIssuerApp(issuer);
    await issuerApp.listen(issuerPort, '127.0.0.1');
    pool = createPool(db.url, { max: 4 });
    owner = createPool(db.url, { max: 2, role: null });
    keyring = new PgDataKeyring(pool, { kek: LocalKeyEncryptionKey.fromBase64(kek) });
    store = new EncryptingPostgresEventStore({ pool, pollIntervalMs: 50 }, keyring);
    dir = mkdtempSync(path.join(tmpdir(), 'cl-seal-rotation-'));
  });

  afterAll(async () => {
    if (sealer && sealer.exitCode === null) sealer.kill('SIGKILL');
    await store?.close();
    keyring?.close();
    await pool?.end();
    await owner?.end();
    await issuerApp?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** apps/log-sealer/src/main.ts with the given seed; resolves with its base URL once ready. */
  async function startSealer(seed: string): Promise<string> {
    const port = await freePort();
    // A service on its own logs in as the runtime role, which owns nothing (runService refuses the owner).
    const runtimeUrl = await testRuntimeRoleUrl(db);
    sealer = spawn(process.execPath, node('apps/log-sealer/src/main.ts'), {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: runtimeUrl,
        LOG_SEALER_PORT: String(port),
        AUTH_JWKS_URL: `${issuerUrl}/.well-known/jwks.json`,
        AUTH_ISSUER: issuerUrl,
        CHILDLEDGER_KEK: kek,
        CHILDLEDGER_SEAL_KEY: seed,
        // A checkpoint every 3 events and when the sealer stops; never on time (the test is not timed).
        SEAL_EVERY_EVENTS: '3',
        SEAL_EVERY_SECONDS: '3600',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    sealer.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    const current = sealer;
    await eventually(
      async () => {
        if (current.exitCode !== null) throw new Error(`the log sealer exited (${current.exitCode}): ${err}`);
        return fetch(`${base}/health/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      60_000,
      'log sealer ready',
    );
    return base;
  }

  /** SIGTERM, as an operator's restart does; the sealer seals what it chained before it exits. */
  async function stopSealer(): Promise<void> {
    const p = sealer!;
    const exited = new Promise<number | null>((r) => p.once('exit', r));
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
  }

  async function appendChildren(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const child = randomUUID();
      await store.append(`child-${child}`, [childRegistered(child, { fullName: `Trẻ ${i}`, dateOfBirth: '2016-03-14' })]);
    }
  }

  async function count(sql: string): Promise<number> {
    return Number((await owner.query<{ n: string }>(sql)).rows[0]!.n);
  }

  async function seals(): Promise<{ seq: number; keyId: string }[]> {
    const { rows } = await owner.query<{ seq: string; key_id: string }>('SELECT seq::text, key_id FROM log_seals ORDER BY log_seals.seq');
    return rows.map((r) => ({ seq: Number(r.seq), keyId: r.key_id }));
  }

  function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [...node('apps/cli/src/main.ts'), ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', CHILDLEDGER_SEAL_KEY: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => resolve({ code, out }));
    });
  }

  const both = ['--public-key', keyA.publicKeyBase64, '--public-key', keyB.publicKeyBase64];
  /** `<A>@7` as GET /trust/seal-keys gave it after the rotation (first test). */
  let retiredA = '';
  const expectedSeals = () => [
    { seq: 3, keyId: keyA.keyId },
    { seq: 6, keyId: keyA.keyId },
    { seq: 7, keyId: keyA.keyId }, // sealed by A as it stopped
    { seq: 10, keyId: keyB.keyId },
    { seq: 13, keyId: keyB.keyId },
    { seq: 14, keyId: keyB.keyId }, // sealed by B as it stopped
  ];

  it('a sealer restarted with a new seed signs new checkpoints with the new key; both keys are listed', async () => {
    // Key A: 7 events, checkpoints at 3 and 6 while running, at 7 when stopped.
    const baseA = await startSealer(seedA);
    const adminToken = await issuer.tokenFor(DEV_USERS.admin);
    const keysA = (await (await fetch(`${baseA}/api/v1/trust/seal-keys`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as Record<
      string,
      unknown
    >;
    expect(keysA.current).toEqual({ keyId: keyA.keyId, publicKey: keyA.publicKeyBase64 });
    await appendChildren(7);
    await eventually(async () => (await count('SELECT count(*) AS n FROM log_chain')) === 7, 30_000, 'seven events chained by A');
    await eventually(async () => (await count('SELECT coalesce(max(seq), 0) AS n FROM log_seals')) === 6, 30_000, 'checkpoint at 6 by A');
    await stopSealer();
    expect(await seals()).toEqual(expectedSeals().slice(0, 3));

    // The rotation: the same sealer, a new CHILDLEDGER_SEAL_KEY. 7 more events.
    const baseB = await startSealer(seedB);
    await appendChildren(7);
    await eventually(async () => (await count('SELECT count(*) AS n FROM log_chain')) === 14, 30_000, 'fourteen events chained');
    await eventually(async () => (await count('SELECT coalesce(max(seq), 0) AS n FROM log_seals')) === 13, 30_000, 'checkpoint at 13 by B');

    // log_seal_keys has both public keys, in the order they were first used.
    const { rows } = await owner.query<{ key_id: string; public_key: Buffer }>('SELECT key_id, public_key FROM log_seal_keys ORDER BY first_used_at');
    expect(rows.map((r) => [r.key_id, r.public_key.toString('base64')])).toEqual([
      [keyA.keyId, keyA.publicKeyBase64],
      [keyB.keyId, keyB.publicKeyBase64],
    ]);
    // GET /api/v1/trust/seal-keys: B is current, both are listed (any authenticated role; not anonymous).
    const res = await fetch(`${baseB}/api/v1/trust/seal-keys`, { headers: { authorization: `Bearer ${await issuer.tokenFor(DEV_USERS.provinceInspector)}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      current: unknown;
      keys: { keyId: string; publicKey: string; lastSignedSeq?: number | null; publicKeyArgument?: string }[];
    };
    expect(body.current).toEqual({ keyId: keyB.keyId, publicKey: keyB.publicKeyBase64 });
    expect(body.keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey }))).toEqual([
      { keyId: keyA.keyId, publicKey: keyA.publicKeyBase64 },
      { keyId: keyB.keyId, publicKey: keyB.publicKeyBase64 },
    ]);
    // The retired key comes with the last seq it signed (7, sealed as A stopped) and the ready-made
    // --public-key value an inspector records now; the current key has no bound.
    expect(body.keys.map((k) => [k.lastSignedSeq, k.publicKeyArgument])).toEqual([
      [7, `${keyA.publicKeyBase64}@7`],
      [undefined, undefined],
    ]);
    retiredA = body.keys[0]!.publicKeyArgument!;
    expect((await fetch(`${baseB}/api/v1/trust/seal-keys`)).status).toBe(401);
    // The latest checkpoint carries the new key id.
    const latest = await fetch(`${baseB}/api/v1/trust/checkpoints/latest`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(await latest.json()).toMatchObject({ seq: 13, keyId: keyB.keyId });

    await stopSealer();
    // Old checkpoints kept the old key id.
    expect(await seals()).toEqual(expectedSeals());
  });

  it('verify-log: both keys → OK; only the new key → FAILED at the first checkpoint of the old one; only the old → at the first of the new', async () => {
    expect(await seals()).toEqual(expectedSeals()); // the previous test ran

    const ok = await cli(['verify-log', ...both]);
    expect(ok.out).toContain('events 14, checkpoints 6, sealed 14, not yet sealed 0');
    expect(ok.out).toContain('OK: the chain and every checkpoint signature verify');
    expect(ok.code).toBe(0);

    const onlyB = await cli(['verify-log', '--public-key', keyB.publicKeyBase64]);
    expect(onlyB.out).toContain(`FAILED at seq 3: checkpoint at seq 3 is signed by key ${keyA.keyId}, which is not trusted`);
    expect(onlyB.out).toContain(`also: checkpoint at seq 6 is signed by key ${keyA.keyId}`);
    expect(onlyB.out).toContain(`also: checkpoint at seq 7 is signed by key ${keyA.keyId}`);
    expect(onlyB.out).not.toContain(keyB.keyId);
    expect(onlyB.code).toBe(1);

    const onlyA = await cli(['verify-log', '--public-key', keyA.publicKeyBase64, '--json']);
    expect(onlyA.code).toBe(1);
    const report = JSON.parse(onlyA.out.slice(onlyA.out.indexOf('{'))) as { ok: boolean; problems: { kind: string; seq: number; message: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.kind, p.seq])).toEqual([
      ['signature', 10],
      ['signature', 13],
      ['signature', 14],
    ]);
    expect(report.problems[0]!.message).toBe(`checkpoint at seq 10 is signed by key ${keyB.keyId}, which is not trusted`);

    // What an operator gets on the sealer's host without --public-key: only the current seal key is
    // trusted, so the old checkpoints fail (docs/trust.md: pass both keys).
    const configured = await cli(['verify-log'], { CHILDLEDGER_SEAL_KEY: seedB });
    expect(configured.out).toContain(`FAILED at seq 3: checkpoint at seq 3 is signed by key ${keyA.keyId}, which is not trusted`);
    expect(configured.code).toBe(1);
  });

  it('verify-log and verify-proof with the old key bounded (<base64>@<last seq> from the endpoint): OK on the genuine log; a bound too low fails at the next old-key checkpoint; a malformed value exits 1 naming --public-key', async () => {
    expect(retiredA).toBe(`${keyA.publicKeyBase64}@7`); // the first test ran

    const ok = await cli(['verify-log', '--public-key', retiredA, '--public-key', keyB.publicKeyBase64]);
    expect(ok.out).toContain('events 14, checkpoints 6, sealed 14, not yet sealed 0');
    expect(ok.out).toContain('OK: the chain and every checkpoint signature verify');
    expect(ok.code).toBe(0);

    // A bound one checkpoint short: A's checkpoint at 7 is refused, naming the retirement.
    const tooLow = await cli(['verify-log', '--public-key', `${keyA.publicKeyBase64}@6`, '--public-key', keyB.publicKeyBase64]);
    expect(tooLow.out).toContain(`FAILED at seq 7: checkpoint at seq 7 is signed by key ${keyA.keyId}, which was retired after seq 6`);
    expect(tooLow.code).toBe(1);

    const malformed = await cli(['verify-log', '--public-key', keyB.publicKeyBase64, '--public-key', `${keyA.publicKeyBase64}@seven`]);
    expect(malformed.out).toContain('--public-key: value 2 has a last seq after "@" that is not a whole number of at least 1');
    expect(malformed.out).not.toContain(keyA.publicKeyBase64);
    expect(malformed.out).not.toContain('OK');
    expect(malformed.code).toBe(1);

    // An event sealed before the rotation: its proof carries A's checkpoint at 3, within the bound.
    const { rows } = await owner.query<{ event_id: string }>('SELECT event_id::text FROM log_chain WHERE seq = 2');
    const proofFile = path.join(dir, 'proof.json');
    writeFileSync(proofFile, JSON.stringify(await buildInclusionProof(owner, rows[0]!.event_id)));
    const proof = await cli(['verify-proof', proofFile, '--public-key', retiredA, '--public-key', keyB.publicKeyBase64]);
    expect(proof.out).toContain(`OK: event ${rows[0]!.event_id}`);
    expect(proof.out).toContain(`covered by the checkpoint at seq 3 signed`);
    expect(proof.code).toBe(0);
  });

  it('an exported log verifies offline with both keys, and fails with the new key alone', async () => {
    const file = path.join(dir, 'log.jsonl');
    const exported = await cli(['export-log', file]);
    expect(exported.out).toContain('exported 14 events and 6 checkpoints');
    expect(exported.code).toBe(0);
    // The export lists both public keys (informative; trust comes from --public-key).
    const keyLines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.kind === 'key');
    expect(keyLines).toEqual([
      { kind: 'key', keyId: keyA.keyId, publicKey: keyA.publicKeyBase64 },
      { kind: 'key', keyId: keyB.keyId, publicKey: keyB.publicKeyBase64 },
    ]);

    // Offline: no database in the environment.
    const offline = { DATABASE_URL: '' };
    const ok = await cli(['verify-log', '--file', file, ...both], offline);
    expect(ok.out).toContain('events 14, checkpoints 6, sealed 14, not yet sealed 0');
    expect(ok.out).toContain('OK: the chain and every checkpoint signature verify');
    expect(ok.code).toBe(0);
    const onlyB = await cli(['verify-log', '--file', file, '--public-key', keyB.publicKeyBase64], offline);
    expect(onlyB.out).toContain(`FAILED at seq 3: checkpoint at seq 3 is signed by key ${keyA.keyId}`);
    expect(onlyB.code).toBe(1);
  });

  it('an event altered after the rotation is still found, at its position, with both keys', async () => {
    // seq 11: after the rotation, covered by the checkpoint at 13 signed by B.
    const { rows } = await owner.query<{ position: string; event_id: string }>(
      'SELECT c.global_position::text AS position, c.event_id::text FROM log_chain c WHERE c.seq = 11',
    );
    const target = rows[0]!;
    await owner.query(`UPDATE events SET data = jsonb_set(data, '{sex}', '"M"') WHERE global_position = $1`, [target.position]);
    const bad = await cli(['verify-log', ...both]);
    expect(bad.out).toContain(
      `FAILED at seq 11, position ${target.position}: seq 11: event ${target.event_id} (position ${target.position}) differs from the event that was chained: it was altered`,
    );
    expect(bad.code).toBe(1);
  });
});
