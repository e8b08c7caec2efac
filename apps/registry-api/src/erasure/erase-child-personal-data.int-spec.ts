import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { handleCommand, loadState } from '@childledger/event-store';
import { AdministrativeUnitLookup, childDecider, ChildState, RegistryError } from '@childledger/domain';
import { createPool } from '@childledger/database';
import {
  databaseLogSource,
  decryptPersonal,
  deriveDataKey,
  EncryptingPostgresEventStore,
  ErasureCompleter,
  isEnvelope,
  LocalKeyEncryptionKey,
  LogSealer,
  PgDataKeyring,
  SealKey,
  trustedSealKeys,
  verifyLog,
} from '@childledger/trust';
import { trustTestKit, TrustTestKit } from '@childledger/trust/testing';
import { eraseChildPersonalData, erasureCascade } from './erase-child-personal-data';
import { dumpAllTables as dumpTables, encodings } from './testing/personal-value-search';

const root = path.resolve(__dirname, '../../../..');
const UNITS: AdministrativeUnitLookup = { isCommuneValidOn: (c) => c === '00004', isKnownProvinceCode: (p) => p === '01' };
const context = () => ({ now: new Date(), units: UNITS });

const ERASED = {
  fullName: 'Nguyễn Thị Thu Hường',
  dateOfBirth: '2016-03-14',
  personalId: '001316012345',
  motherName: 'Trần Thị Ánh Tuyết',
  fatherName: 'Nguyễn Văn Quyết',
  notes: 'Sống với bà ngoại ở xóm Đồi',
};
const KEPT = { fullName: 'Lê Văn Bình', dateOfBirth: '2015-07-01', motherName: 'Phạm Thị Mai' };
const CASE_NOTE = 'Bị bạo hành tại nhà, cần can thiệp gấp';

async function register(kit: TrustTestKit, childId: string, p: Record<string, string>): Promise<void> {
  await handleCommand(
    kit.store,
    `child-${childId}`,
    {
      type: 'RegisterChild',
      data: { childId, sex: 'F', residence: { communeCode: '00004', effectiveFrom: p.dateOfBirth! }, ...(p as { fullName: string; dateOfBirth: string }) },
      context: context(),
    },
    childDecider,
  );
}

async function dumpAllTables(kit: TrustTestKit): Promise<string> {
  const dump = await dumpTables(kit.owner);
  expect(dump.tables).toEqual(expect.arrayContaining(['events', 'child_data_keys', 'log_chain', 'subscription_checkpoints']));
  return dump.text;
}

async function pgDump(url: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', url], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    // pg_dump older than the server refuses to run (this machine: pg_dump 15, embedded server 18).
    if (/server version mismatch|aborting because of server version mismatch|ENOENT/.test(String((err as { stderr?: string }).stderr ?? err))) return undefined;
    throw err;
  }
}

const kekOf = (kit: TrustTestKit) => (kit.keyring as unknown as { options: { kek: LocalKeyEncryptionKey } }).options.kek;

/** What someone holding a full dump and the KEK could read: every envelope opened with every key in the dump. */
async function openEverythingInTheDump(kit: TrustTestKit, kek: LocalKeyEncryptionKey): Promise<string> {
  const keys = await kit.owner.query<{ subject: string; wrapped_key: Buffer }>('SELECT subject, wrapped_key FROM child_data_keys');
  const events = await kit.owner.query<{ event_id: string; personal: unknown }>(`SELECT event_id::text, data->'personal' AS personal FROM events`);
  const out: string[] = [];
  for (const k of keys.rows) {
    const dataKey = deriveDataKey(k.subject, await kek.unwrap(k.wrapped_key, k.subject));
    for (const e of events.rows) {
      if (isEnvelope(e.personal) && e.personal.subject === k.subject) out.push(JSON.stringify(decryptPersonal(dataKey, e.event_id, e.personal)));
    }
  }
  return out.join('\n');
}

describe(eraseChildPersonalData.name, () => {
  let kit: TrustTestKit;
  beforeAll(async () => {
    kit = await trustTestKit();
  });
  afterAll(() => kit.teardown());

  it('leaves none of the child’s personal values in any table (nor in pg_dump), keeps the log verifiable, replayable and other children readable', async () => {
    const erased = randomUUID();
    const kept = randomUUID();
    await register(kit, erased, ERASED);
    await register(kit, kept, KEPT);
    const caseId = randomUUID();
    await handleCommand(
      kit.store,
      `case-${caseId}`,
      {
        type: 'OpenCase',
        data: {
          caseId,
          childId: erased,
          channel: 'hotline_111',
          concern: 'physical_abuse',
          protectionLevel: 'intervention',
          reportedAt: new Date(Date.now() - 3600_000).toISOString(),
          description: CASE_NOTE,
        },
        context: { now: new Date(), deadlines: (await import('@childledger/domain')).DEFAULT_CASE_DEADLINES },
      } as never,
      (await import('@childledger/domain')).caseDecider as never,
    );
    const sealer = new LogSealer({ pool: kit.pool, key: SealKey.fromBase64Seed(SealKey.generateSeed()), everyEvents: 2 });
    await sealer.sealNow();
    expect((await kit.store.readStream(`case-${caseId}`))[0]!.data.personal).toEqual({ description: CASE_NOTE });

    const result = await eraseChildPersonalData(kit.store, kit.keyring, {
      childId: erased,
      reason: 'Quyết định số 12/2025/QĐ-UBND, Điều 17',
      metadata: { actor: { userId: 'admin-1', role: 'admin' } },
      context: context(),
    });
    expect(result).toMatchObject({ childId: erased, revision: 1, alreadyErased: false });
    await sealer.sealNow();

    const dump = await dumpAllTables(kit);
    expect(dump).toContain(erased); // the dump is real: the child's (pseudonymous) id is there
    for (const value of [...Object.values(ERASED), CASE_NOTE]) {
      for (const enc of encodings(value)) {
        if (value === ERASED.dateOfBirth) continue; // dates also appear as non-personal fields (effectiveFrom), checked below
        expect({ value, found: dump.includes(enc) }).toEqual({ value, found: false });
      }
    }
    // Even with the dump AND the key-encryption key, only the other child's data can be opened.
    const opened = await openEverythingInTheDump(kit, kekOf(kit));
    expect(opened).toContain(KEPT.fullName);
    expect(opened).toContain(KEPT.motherName);
    for (const value of [ERASED.fullName, ERASED.personalId, ERASED.notes, CASE_NOTE]) expect(opened).not.toContain(value);
    // The date of birth itself only survives where the domain writes it as a non-personal field (residence.effectiveFrom = registration input here).
    const ciphertexts = await kit.owner.query<{ personal: string }>(
      `SELECT data->>'personal' AS personal FROM events WHERE stream_id = $1 AND data ? 'personal'`,
      [`child-${erased}`],
    );
    for (const r of ciphertexts.rows) expect(r.personal).not.toContain(ERASED.dateOfBirth);

    const full = await pgDump(kit.db.url);
    if (full !== undefined) {
      for (const value of [ERASED.fullName, ERASED.personalId, ERASED.motherName, ERASED.notes, CASE_NOTE])
        for (const enc of encodings(value)) expect(full.includes(enc)).toBe(false);
    } else {
      process.stderr.write('[erasure test] pg_dump is older than the server here: the table-by-table dump above is the check\n');
    }

    // Replay: the child's stream folds to an erased record; every event reads, personal fields null.
    const { state } = await loadState<ChildState, never>(kit.store, `child-${erased}`, childDecider as never);
    expect(state.status).toBe('erased');
    const events = await kit.store.readStream(`child-${erased}`);
    expect(events[0]!.data.personal).toBeNull();
    expect(events[0]!.metadata.personalDataErased).toBe(true);
    expect(events[0]!.data.residence).toEqual({ communeCode: '00004', effectiveFrom: ERASED.dateOfBirth });
    expect((await kit.store.readStream(`case-${caseId}`))[0]!.data.personal).toBeNull();
    // Rebuild: a projection from the start of the log still counts both children, and only the kept one has a name.
    const names = new Map<string, unknown>();
    for (let after: string | null = null; ;) {
      const page = await kit.store.readAll({ after, maxCount: 2 });
      if (page.events.length === 0) break;
      for (const e of page.events)
        if (e.type === 'ChildRegistered') names.set(String(e.data.childId), (e.data.personal as { fullName?: string } | null)?.fullName ?? null);
      after = page.checkpoint;
    }
    expect(Object.fromEntries(names)).toEqual({ [erased]: null, [kept]: KEPT.fullName });
    // Other children untouched.
    expect((await kit.store.readStream(`child-${kept}`))[0]!.data.personal).toEqual(KEPT);
    // And the log still verifies.
    const report = await verifyLog(
      databaseLogSource(kit.owner),
      trustedSealKeys([(await kit.owner.query('SELECT public_key FROM log_seal_keys')).rows[0].public_key.toString('base64')]),
    );
    expect(report.problems).toEqual([]);
    expect(report.sealed).toBe(report.events);

    // Erasure is final: the record takes no more commands and no new personal data.
    await expect(
      handleCommand(
        kit.store,
        `child-${erased}`,
        { type: 'CorrectChildDetails', data: { changes: { fullName: 'Tên mới' }, reason: 'sửa tên' }, context: context() },
        childDecider,
      ),
    ).rejects.toBeInstanceOf(RegistryError);
  });

  it('a retry after the erasure finds the event, appends nothing and still destroys the key', async () => {
    const child = randomUUID();
    await register(kit, child, ERASED);
    // The state a crash between the two steps leaves: the event appended, the key still there.
    await handleCommand(
      kit.store,
      `child-${child}`,
      { type: 'ErasePersonalData', data: { reason: 'Quyết định số 13/2025' }, context: context() },
      childDecider,
    );
    expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [child])).rowCount).toBe(1);
    const retry = await eraseChildPersonalData(kit.store, kit.keyring, { childId: child, reason: 'Quyết định số 13/2025', metadata: {}, context: context() });
    expect(retry).toEqual({ childId: child, revision: 1, alreadyErased: true, mergedRecordsErased: [] });
    expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [child])).rowCount).toBe(0);
    expect((await kit.store.readStream(`child-${child}`)).map((e) => e.type)).toEqual(['ChildRegistered', 'ChildPersonalDataErased']);
  });

  it('a process killed between the append and the key destruction: the completer (startup sweep) finishes the erasure', async () => {
    const kekBase64 = randomBytes(32).toString('base64');
    const pool = createPool(kit.db.url, { max: 4 });
    const keyring = new PgDataKeyring(pool, { kek: LocalKeyEncryptionKey.fromBase64(kekBase64) });
    const store = new EncryptingPostgresEventStore({ pool }, keyring);
    const child = randomUUID();
    try {
      await handleCommand(
        store,
        `child-${child}`,
        {
          type: 'RegisterChild',
          data: {
            childId: child,
            sex: 'M',
            residence: { communeCode: '00004', effectiveFrom: '2017-01-01' },
            fullName: 'Đỗ Minh Khôi',
            dateOfBirth: '2017-01-01',
          },
          context: context(),
        },
        childDecider,
      );
      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'crash-erasure.script.ts')], {
          env: { ...process.env, CRASH_DATABASE_URL: kit.db.url, CRASH_KEK: kekBase64, CRASH_CHILD_ID: child },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('exit', (code, signal) => resolve({ code, signal, stderr }));
      });
      expect(exit).toMatchObject({ signal: 'SIGKILL' });
      // Killed in the window: the erasure is in the log, the key is not destroyed yet.
      expect((await store.readStream(`child-${child}`)).map((e) => e.type)).toEqual(['ChildRegistered', 'ChildPersonalDataErased']);
      expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [child])).rowCount).toBe(1);
      expect((await store.readStream(`child-${child}`))[0]!.data.personal).toMatchObject({ fullName: 'Đỗ Minh Khôi' });

      const completer = new ErasureCompleter(store.raw, keyring, pool);
      await completer.start();
      await completer.caughtUp();
      await completer.stop();
      expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [child])).rowCount).toBe(0);
      expect((await store.readStream(`child-${child}`))[0]!.data.personal).toBeNull();
    } finally {
      await store.close();
      keyring.close();
      await pool.end();
    }
  });

  it('the completer erases the records merged into an erased child when the erasure stopped before them, and a duplicate merged into it by a racing merge', async () => {
    const survivor = randomUUID();
    const duplicate = randomUUID();
    const late = randomUUID();
    await register(kit, survivor, { fullName: 'Mai Thị Hồng Nhung', dateOfBirth: '2016-01-01' });
    await register(kit, duplicate, { fullName: 'Mai Thi Hong Nhung', dateOfBirth: '2016-01-01', motherName: 'Vương Thị Mận' });
    await register(kit, late, { fullName: 'Mai Hồng Nhung', dateOfBirth: '2016-01-01' });
    await handleCommand(
      kit.store,
      `child-${duplicate}`,
      { type: 'MergeChildRecords', data: { survivingChildId: survivor, reason: 'trùng' }, context: context() },
      childDecider,
    );
    // What a crash right after the survivor's own erasure leaves: its erasure, nothing for the duplicate.
    await handleCommand(
      kit.store,
      `child-${survivor}`,
      { type: 'ErasePersonalData', data: { reason: 'Quyết định số 15/2025' }, context: context() },
      childDecider,
    );
    // A merge that passed its check before the erasure and was appended after it (the decider sees only the duplicate's stream).
    await handleCommand(
      kit.store,
      `child-${late}`,
      { type: 'MergeChildRecords', data: { survivingChildId: survivor, reason: 'trùng' }, context: context() },
      childDecider,
    );
    expect((await kit.store.readStream(`child-${duplicate}`))[0]!.data.personal).toMatchObject({ motherName: 'Vương Thị Mận' });

    const completer = new ErasureCompleter(
      kit.store.raw,
      kit.keyring,
      kit.pool,
      undefined,
      erasureCascade(kit.store, kit.keyring, () => UNITS),
    );
    await completer.start();
    await completer.caughtUp();
    await completer.stop();
    for (const id of [survivor, duplicate, late]) {
      expect((await kit.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [id])).rowCount).toBe(0);
      expect((await kit.store.readStream(`child-${id}`))[0]!.data.personal).toBeNull();
    }
    const erasedDuplicate = (await kit.store.readStream(`child-${duplicate}`)).at(-1)!;
    expect(erasedDuplicate).toMatchObject({
      type: 'ChildPersonalDataErased',
      data: { reason: 'Quyết định số 15/2025' },
      metadata: { erasedWithChildId: survivor },
    });
    expect((await kit.store.readStream(`child-${late}`)).map((e) => e.type)).toEqual(['ChildRegistered', 'ChildRecordsMerged', 'ChildPersonalDataErased']);
    // Run again (at least once delivery): nothing more is appended.
    const again = new ErasureCompleter(
      kit.store.raw,
      kit.keyring,
      kit.pool,
      undefined,
      erasureCascade(kit.store, kit.keyring, () => UNITS),
    );
    await kit.owner.query("DELETE FROM subscription_checkpoints WHERE subscription_name = 'erasure-completer'");
    await again.start();
    await again.caughtUp();
    await again.stop();
    expect((await kit.store.readStream(`child-${duplicate}`)).filter((e) => e.type === 'ChildPersonalDataErased')).toHaveLength(1);
  });
});
