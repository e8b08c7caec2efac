import type { INestApplication } from '@nestjs/common';
import * as ExcelJS from 'exceljs';
import type { Pool, PoolClient } from 'pg';
import { createPool, createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import type { ImportReport } from '@childledger/registry';
import { createRegistryApi } from '../src/registry-api.app';

const MB = 1024 * 1024;
const HEADER = 'Ma ho so,Ho va ten,Ngay sinh,Gioi tinh,Xa/Phuong,Tinh/Thanh pho';
const NAMES = ['An', 'Bình', 'Cường', 'Dung', 'Em', 'Giang', 'Hùng', 'Khoa', 'Lan', 'Mai', 'Nam', 'Oanh', 'Phúc', 'Quang', 'Sơn', 'Tâm', 'Uyên', 'Vinh'];

/** A CSV of children of Ba Đình ward, one per name, born on `day` of March 2016. */
function csv(names: readonly string[], day = 14): Buffer {
  const rows = names.map((n, i) => `${i + 1},Nguyễn Văn ${n},${String(day).padStart(2, '0')}/03/2016,Nam,00004,01`);
  return Buffer.from(`${[HEADER, ...rows].join('\r\n')}\r\n`);
}

/** A zip bomb as an XLSX: a header, then 40,000 rows of one repeated cell (the sheet's XML inflates past 4 MB from a far smaller file). */
async function bomb(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Sheet1');
  sheet.addRow(HEADER.split(','));
  for (let i = 0; i < 40_000; i += 1) sheet.addRow(['1', 'Nguyễn Văn An', '14/03/2016', 'Nam', '00004', '01']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

interface ErrorBody {
  message: string;
  code: string;
  errors: { field: string; rule: string; message: string }[];
  details?: { importId: string };
}

/**
 * The registry API with low import limits set through its configuration (the IMPORT_* variables),
 * on a fresh database, over HTTP: 1 MB per archive entry, 3 rows per file, 1 import running and 1 waiting.
 */
describe('registry API: bounded imports', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let auth: TestAuth;
  let owner: Pool;
  let base: string;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    auth = await createTestAuth();
    const config = Object.assign(new PlatformConfig(), {
      LOG_LEVEL: 'silent' as const,
      IMPORT_MAX_ENTRY_BYTES: 1 * MB,
      IMPORT_MAX_ROWS: 3,
      IMPORT_CONCURRENCY: 1,
      IMPORT_QUEUE_SIZE: 1,
    });
    app = await createRegistryApi(config, db.url, { auth: auth.auth, poolSize: 10 });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}/api/v1`;
    owner = createPool(db.url, { role: null, max: 3 });
    token = await auth.issuer.tokenFor(auth.users.communeOfficer);
  });
  afterAll(async () => {
    await app.close();
    await owner.end();
    await db.drop();
  });

  async function upload<T = ImportReport>(body: Buffer, contentType = 'text/csv'): Promise<{ status: number; headers: Headers; body: T }> {
    const res = await fetch(`${base}/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  }
  const eventCount = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);
  const importCount = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM imports')).rows[0]?.n);
  const eventsOf = async (importId: string) =>
    Number((await owner.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE metadata->'import'->>'importId' = $1`, [importId])).rows[0]?.n);

  it('refuses a zip bomb (a sheet inflating past the configured limit) with 422 ARCHIVE_TOO_LARGE, writing nothing to the event log', async () => {
    const file = await bomb();
    expect(file.length).toBeLessThan(1 * MB);
    const before = await eventCount();
    const res = await upload<ErrorBody>(file, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.status).toBe(422);
    const message = "the file's sheet xl/worksheets/sheet1.xml inflates to more than 1 MB (rule ARCHIVE_TOO_LARGE)";
    expect(res.body).toMatchObject({ message, code: 'ARCHIVE_TOO_LARGE', errors: [{ field: 'file', rule: 'ARCHIVE_TOO_LARGE', message }] });
    expect(await eventCount()).toBe(before);
    // The ledger says the same to whoever follows the import by id.
    const report = await fetch(`${base}/imports/${res.body.details?.importId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await report.json()).toMatchObject({ status: 'failed', error: message, rows: { read: 0, imported: 0 } });
  });

  it('stops a file at the row cap: the rows before it are imported, 422 TOO_MANY_ROWS says how many, and importing it again adds nothing', async () => {
    const file = csv(['An', 'Bình', 'Cường', 'Dung', 'Em'], 1);
    const before = await eventCount();
    const res = await upload<ErrorBody>(file);
    expect(res.status).toBe(422);
    const message =
      'the file has more than 3 data rows (rule TOO_MANY_ROWS): the import stopped before row 5, after the first 3 (3 imported, 0 already imported, 0 rejected); import the rest as another file (rows already imported are recognised and not written twice)';
    expect(res.body).toMatchObject({ message, errors: [{ field: 'file', rule: 'TOO_MANY_ROWS', message }] });
    const importId = res.body.details?.importId ?? '';
    // The first three rows (one registration each), nothing of rows 5 and 6.
    expect(await eventsOf(importId)).toBe(3);
    expect(await eventCount()).toBe(before + 3);

    const again = await upload<ErrorBody>(file);
    expect(again.status).toBe(422);
    expect(again.body.message).toContain('(0 imported, 3 already imported, 0 rejected)');
    expect(await eventCount()).toBe(before + 3);
  });

  it('runs imports through a bounded queue: past 1 running and 1 waiting, 503 IMPORT_QUEUE_FULL with Retry-After, nothing registered or written', async () => {
    const eventsBefore = await eventCount();
    const importsBefore = await importCount();
    // Hold the import ledger so that the admitted imports cannot register before the others arrive.
    const lock: PoolClient = await owner.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE imports IN ACCESS EXCLUSIVE MODE');
    const files = [0, 1, 2, 3, 4].map((i) => csv([NAMES[i] ?? 'X'], 20 + i));
    const settled: number[] = [];
    const answers = files.map((f) =>
      upload<ImportReport & ErrorBody>(f).then((r) => {
        settled.push(r.status);
        return r;
      }),
    );
    const waitingOnLock = async () =>
      Number(
        (
          await owner.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO imports%'`,
          )
        ).rows[0]?.n,
      );
    // Every request is either answered or blocked on the ledger (each one's place decided).
    for (let i = 0; i < 600 && settled.length + (await waitingOnLock()) < files.length; i += 1) await new Promise((r) => setTimeout(r, 50));
    await lock.query('COMMIT');
    lock.release();
    const results = await Promise.all(answers);

    const refused = results.filter((r) => r.status === 503);
    const done = results.filter((r) => r.status === 201);
    expect(refused).toHaveLength(3);
    expect(done).toHaveLength(2);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toBe('30');
      expect(r.body).toMatchObject({ code: 'IMPORT_QUEUE_FULL', errors: [{ field: 'file', rule: 'IMPORT_QUEUE_FULL' }] });
    }
    // Nothing of the refused ones: no ledger row, no event; each admitted one registered its child.
    expect(await importCount()).toBe(importsBefore + 2);
    for (const r of done) {
      expect(r.body).toMatchObject({ status: 'completed', rows: { imported: 1 } });
      expect(await eventsOf(r.body.id)).toBe(1);
    }
    expect(await eventCount()).toBe(eventsBefore + 2);
  });

  it('shows a queued import (Prefer: respond-async) as running with 0 rows until the running one ends, then runs it', async () => {
    const lock: PoolClient = await owner.connect();
    await lock.query('BEGIN');
    // The running import stops at its first batch (it looks its dedupe keys up) until the lock goes.
    await lock.query('LOCK TABLE import_dedupe_keys IN ACCESS EXCLUSIVE MODE');
    const running = upload(csv(['Sơn'], 27));
    const blocked = async () =>
      Number(
        (
          await owner.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%import_dedupe_keys%'`,
          )
        ).rows[0]?.n,
      );
    for (let i = 0; i < 600 && (await blocked()) === 0; i += 1) await new Promise((r) => setTimeout(r, 50));

    const queuedRes = await fetch(`${base}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', prefer: 'respond-async' },
      body: csv(['Tâm'], 28),
    });
    expect(queuedRes.status).toBe(202);
    const queued = (await queuedRes.json()) as ImportReport;
    expect(queued).toMatchObject({ status: 'running', percent: 0, rows: { read: 0, imported: 0 } });
    // The queue (1 running, 1 waiting) is full now.
    const refused = await upload<ErrorBody>(csv(['Uyên'], 29));
    expect(refused.status).toBe(503);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'IMPORT_QUEUE_FULL' })]);

    await lock.query('COMMIT');
    lock.release();
    expect(await running).toMatchObject({ status: 201, body: { status: 'completed', rows: { imported: 1 } } });
    let report: ImportReport = queued;
    for (let i = 0; i < 600 && report.status === 'running'; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      report = (await (await fetch(`${base}/imports/${queued.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as ImportReport;
    }
    expect(report).toMatchObject({ status: 'completed', rows: { read: 1, imported: 1 } });
  });
});
