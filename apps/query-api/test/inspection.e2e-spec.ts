import type { INestApplication } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EventStore } from '@childledger/event-store';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { AuditTrailQueries, EXPORT_BATCH_ROWS, PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { LedgerFixture } from '@childledger/read-models/testing';
import { InclusionProof, LogSealer, SealKey, trustedSealKeys, verifyInclusionProof } from '@childledger/trust';
import { IntegrityService } from '../src/integrity.service';
import { createQueryApi } from '../src/query-api.app';

/** A child registered in Hà Nội (commune 00004) who moved to province 79 (commune 25747) on 1 March 2026. */
const MOVED = 'insp-moved';
/** A child who has lived in Hà Nội all along, with more audit entries than the old 100,000-row export cap. */
const BULK = 'insp-bulk';
const BULK_ROWS = 100_001;
const at = (day: string, hour = 10) => `${day}T${String(hour - 7).padStart(2, '0')}:00:00.000Z`;
const HANOI_OFFICER = { userId: 'hanoi-officer', role: 'data_officer', unit: '00004' } as const;
const HCM_OFFICER = { userId: 'hcm-officer', role: 'data_officer', unit: '25747' } as const;
const sealKey = SealKey.fromBase64Seed(SealKey.generateSeed());

describe('inspection: audit trail and read audit over time (e2e)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  const tokens: Record<string, string> = {};

  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string, init: RequestInit = {}): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${tokens[who]}`, ...(init.headers as Record<string, string>) } });
  const readCount = async (where = 'true', values: unknown[] = []) =>
    Number((await owner.query(`SELECT count(*) FROM read_audit WHERE ${where}`, values)).rows[0].count);

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    const fx = new LedgerFixture(store, loadAdministrativeUnits());
    await fx.child(
      MOVED,
      'RegisterChild',
      { childId: MOVED, fullName: 'Vũ Thị Hoa', dateOfBirth: '2015-06-01', sex: 'F', residence: { communeCode: '00004', effectiveFrom: '2025-08-01' } },
      { at: at('2025-08-01'), actor: HANOI_OFFICER },
    );
    await fx.child(
      MOVED,
      'CorrectChildDetails',
      { changes: { notes: 'đã xác minh' }, reason: 'xác minh tại nhà' },
      { at: at('2025-09-10'), actor: HANOI_OFFICER },
    );
    await fx.child(MOVED, 'ChangeResidence', { communeCode: '25747', effectiveFrom: '2026-03-01' }, { at: at('2026-03-01'), actor: HCM_OFFICER });
    await fx.child(
      MOVED,
      'CorrectChildDetails',
      { changes: { notes: 'chuyển trường' }, reason: 'cập nhật sau khi chuyển' },
      { at: at('2026-04-10'), actor: HCM_OFFICER },
    );
    await fx.child(
      BULK,
      'RegisterChild',
      { childId: BULK, fullName: 'Ngô Văn Bảo', dateOfBirth: '2014-01-01', sex: 'M', residence: { communeCode: '00004', effectiveFrom: '2025-08-01' } },
      { at: at('2025-08-01'), actor: HANOI_OFFICER },
    );
    await fx.backdate(owner);
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
    // The log sealed by a checkpoint signed with the key the query API is told to trust.
    await new LogSealer({ pool, key: sealKey, everyEvents: 1000, everyMs: 3_600_000 }).sealNow();
    // The bulk child's trail: 100,001 entries (written straight into the index: the export is what is tested, not the projector).
    await owner.query(
      `INSERT INTO rm_audit_index (position, event_id, stream_id, revision, event_type, recorded_at, child_id, actor_user_id, actor_role, actor_unit, summary)
       SELECT 1000000 + i, gen_random_uuid(), 'child-${BULK}', i, 'ChildDetailsCorrected', timestamptz '2025-10-01 03:00:00+00' + i * interval '1 second',
              '${BULK}', 'hanoi-officer', 'data_officer', '00004', '{}'::jsonb
         FROM generate_series(1, ${BULK_ROWS}) AS i`,
    );
    // Reads of the moved child's personal data, as the platform's ReadAuditWriter records them, on known days.
    await owner.query(
      `INSERT INTO read_audit (read_at, user_id, role, user_units, purpose, resource_type, resource_id, child_id, view)
       VALUES ('2025-10-14 02:00:00+00', 'hanoi-officer', 'data_officer', '{00004}', 'case_work', 'child', '${MOVED}', '${MOVED}', 'current'),
              ('2025-10-20 02:00:00+00', 'hanoi-officer', 'data_officer', '{00004}', 'data_correction', 'child', '${MOVED}', '${MOVED}', 'timeline'),
              ('2025-10-21 02:00:00+00', 'hanoi-officer', 'data_officer', '{00004}', 'case_work', 'child', 'search', NULL, 'search:name'),
              ('2026-04-12 02:00:00+00', 'hcm-officer', 'data_officer', '{25747}', 'case_work', 'child', '${MOVED}', '${MOVED}', 'current')`,
    );
    t = await createTestAuth();
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector); // Hà Nội (01)
    tokens['hcmInspector'] = await t.tokenFor({ role: 'inspector', userId: 'hcm-inspector', provinces: ['79'] });
    tokens['caseWorker'] = await t.tokenFor(t.users.provinceCaseWorker);
    tokens['admin'] = await t.tokenFor(t.users.admin);
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    process.env['CHILDLEDGER_TRUSTED_SEAL_KEYS'] = sealKey.publicKeyBase64;
    try {
      app = await createQueryApi(config, db.url, { auth: t.auth });
    } finally {
      delete process.env['CHILDLEDGER_TRUSTED_SEAL_KEYS'];
    }
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await pool?.end();
    await owner?.end();
    await db?.drop();
  });

  describe('the audit trail of a child who moved out', () => {
    const types = async (path: string, who: string) =>
      ((await (await get(path, who)).json()).items as { eventType: string; recordedAt: string }[]).map((e) => `${e.eventType}@${e.recordedAt.slice(0, 10)}`);

    it('stays visible to the inspectors of the province it left, for the period it lived there', async () => {
      expect(await types(`/audit/events?childId=${MOVED}`, 'inspector')).toEqual([
        'ChildRegistered@2025-08-01',
        'ChildDetailsCorrected@2025-09-10',
        'ResidenceChanged@2026-03-01',
        'ChildDetailsCorrected@2026-04-10',
      ]);
      expect(await types(`/audit/events?childId=${MOVED}&from=2025-09-01&to=2025-09-30`, 'inspector')).toEqual(['ChildDetailsCorrected@2025-09-10']);
      // April 2026: the child lived in province 79, no longer in Hà Nội.
      expect(await types(`/audit/events?childId=${MOVED}&from=2026-04-01&to=2026-04-30`, 'inspector')).toEqual([]);
      // By the unit it lived in during the period, not only the one it lives in now.
      expect(await types(`/audit/events?unit=00004&from=2025-09-01&to=2025-09-30`, 'inspector')).toEqual(['ChildDetailsCorrected@2025-09-10']);
    });

    it("is visible to the new province's inspectors from the move on, and not before", async () => {
      expect(await types(`/audit/events?childId=${MOVED}&from=2026-04-01&to=2026-04-30`, 'hcmInspector')).toEqual(['ChildDetailsCorrected@2026-04-10']);
      expect(await types(`/audit/events?childId=${MOVED}&from=2025-09-01&to=2025-09-30`, 'hcmInspector')).toEqual([]);
    });

    it('by actor: what this officer did in a period', async () => {
      expect(await types(`/audit/events?actorId=hcm-officer`, 'hcmInspector')).toEqual(['ResidenceChanged@2026-03-01', 'ChildDetailsCorrected@2026-04-10']);
    });

    it('refuses bad filters with a 400 naming the field', async () => {
      for (const [q, field] of [
        ['from=2025-13-01', 'from'],
        ['from=2025-10-01&to=2025-09-01', 'to'],
        ['eventType=drop%20table', 'eventType'],
        ['childId=%3Cscript%3E', 'childId'],
        ['purpose=curiosity', 'purpose'],
      ] as const) {
        const res = await get(`/audit/events?${q}`, 'inspector');
        expect({ q, status: res.status, field: (await res.json()).field }).toEqual({ q, status: 400, field });
      }
    });
  });

  describe('the read audit: who viewed this child, what this officer looked at, and why', () => {
    type Read = { userId: string; purpose: string; resourceType: string; view: string; at: string; childId: string | null };
    const reads = async (path: string, who: string): Promise<Read[]> => {
      const res = await get(path, who);
      expect(res.status).toBe(200);
      return (await res.json()).items;
    };

    it('needs a purpose, and only inspectors and admins may ask', async () => {
      const res = await get(`/audit/reads?childId=${MOVED}`, 'inspector');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'purpose' });
      expect((await get(`/audit/reads?childId=${MOVED}&purpose=inspection`, 'caseWorker')).status).toBe(403);
      expect((await get(`/audit/reads?readPurpose=curiosity&purpose=inspection`, 'inspector')).status).toBe(400);
    });

    it('by child: every reader with when, purpose and view — including the inspectors whose trail queries looked at it', async () => {
      await get(`/audit/events?childId=${MOVED}&from=2025-09-01&to=2025-09-30`, 'inspector', { headers: { 'x-purpose': 'inspection' } });
      const found = await reads(`/audit/reads?childId=${MOVED}&purpose=inspection`, 'inspector');
      expect(found.filter((r) => r.resourceType === 'child').map((r) => [r.userId, r.purpose, r.view, r.at.slice(0, 10)])).toEqual([
        ['hanoi-officer', 'case_work', 'current', '2025-10-14'],
        ['hanoi-officer', 'data_correction', 'timeline', '2025-10-20'],
        ['hcm-officer', 'case_work', 'current', '2026-04-12'],
      ]);
      expect(found).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ userId: 'dev-province-inspector', resourceType: 'audit_trail', view: 'search:childId,from,to', purpose: 'inspection' }),
        ]),
      );
    });

    it('by actor, for last month: what the officer read and why, within the jurisdiction', async () => {
      const october = await reads(`/audit/reads?actorId=hanoi-officer&from=2025-10-01&to=2025-10-31&purpose=inspection`, 'inspector');
      expect(october.map((r) => [r.childId, r.purpose, r.view])).toEqual([
        [MOVED, 'case_work', 'current'],
        [MOVED, 'data_correction', 'timeline'],
        [null, 'case_work', 'search:name'],
      ]);
      // Province 79's inspector: the child did not live there in October 2025, and the officer is not one of theirs.
      expect(await reads(`/audit/reads?actorId=hanoi-officer&from=2025-10-01&to=2025-10-31&purpose=inspection`, 'hcmInspector')).toEqual([]);
      expect((await reads(`/audit/reads?actorId=hanoi-officer&readPurpose=data_correction&purpose=inspection`, 'inspector')).map((r) => r.view)).toEqual([
        'timeline',
      ]);
    });

    it("records the inspector's own read-audit queries, so another inspector can see them", async () => {
      const before = await readCount(`resource_type = 'read_audit' AND user_id = 'dev-province-inspector'`);
      await reads(`/audit/reads?actorId=hanoi-officer&purpose=inspection`, 'inspector');
      expect(await readCount(`resource_type = 'read_audit' AND user_id = 'dev-province-inspector'`)).toBe(before + 1);
      const seen = await reads(`/audit/reads?actorId=dev-province-inspector&purpose=inspection&limit=500`, 'admin');
      expect(seen.some((r) => r.resourceType === 'read_audit' && r.view === 'search:actorId')).toBe(true);
    });

    it('pages by keyset, and a forged cursor is a 400', async () => {
      const first = await (await get(`/audit/reads?childId=${MOVED}&purpose=inspection&limit=2`, 'inspector')).json();
      expect(first.items).toHaveLength(2);
      const second = await (await get(`/audit/reads?childId=${MOVED}&purpose=inspection&limit=2&cursor=${first.nextCursor}`, 'inspector')).json();
      expect(second.items[0].at >= first.items[1].at).toBe(true);
      expect((await get(`/audit/reads?purpose=inspection&cursor=abc`, 'inspector')).status).toBe(400);
    });

    it('exports the read audit as CSV, and records the export', async () => {
      const res = await get(`/audit/reads.csv?childId=${MOVED}&purpose=inspection`, 'inspector');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
      expect(rows.filter((r) => r.resource_type === 'child').map((r) => r.user_id)).toEqual(['hanoi-officer', 'hanoi-officer', 'hcm-officer']);
      expect(await readCount(`resource_type = 'read_audit' AND view = 'export:childId' AND child_id = $1`, [MOVED])).toBe(1);
    });
  });

  describe('the CSV export of the audit trail', () => {
    it(`streams all ${BULK_ROWS.toLocaleString('en')} rows (more than the former 100,000 cap), in order, and records the export`, async () => {
      const res = await get(`/audit/events.csv?childId=${BULK}`, 'inspector');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain('audit-trail.csv');
      // Chunked: streamed, no Content-Length computed from a document held whole.
      expect(res.headers.get('content-length')).toBeNull();
      const lines = (await res.text()).trimEnd().split('\n');
      expect(lines[0]).toBe('recorded_at,event_type,stream_id,revision,child_id,case_id,actor_user_id,actor_role,actor_unit,reason,correlation_id,event_id');
      // The registration and the bulk entries: every one, nothing cut.
      expect(lines.length - 1).toBe(BULK_ROWS + 1);
      expect(lines[lines.length - 1]).toContain(`,${BULK_ROWS},${BULK},`);
      expect(await readCount(`resource_type = 'audit_trail' AND view = 'export:childId' AND child_id = $1`, [BULK])).toBe(1);
    }, 60_000);

    it('reads the rows from a cursor a batch at a time: no batch holds more than EXPORT_BATCH_ROWS', async () => {
      const sizes: number[] = [];
      for await (const batch of app.get(AuditTrailQueries).stream(t.users.provinceInspector, { childId: BULK })) sizes.push(batch.length);
      expect(Math.max(...sizes)).toBe(EXPORT_BATCH_ROWS);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(BULK_ROWS + 1);
      expect(sizes.length).toBe(Math.ceil((BULK_ROWS + 1) / EXPORT_BATCH_ROWS));
    }, 60_000);

    it('refuses a third export while two stream (503 EXPORTS_BUSY, Retry-After), and frees the places when clients go away', async () => {
      const held = [new AbortController(), new AbortController()];
      const downloads = await Promise.all(held.map((c) => get(`/audit/events.csv?childId=${BULK}`, 'inspector', { signal: c.signal })));
      expect(downloads.map((d) => d.status)).toEqual([200, 200]);
      const third = await get(`/audit/events.csv?childId=${MOVED}`, 'inspector');
      expect(third.status).toBe(503);
      expect(third.headers.get('retry-after')).toBe('5');
      expect(await third.json()).toMatchObject({ rule: 'EXPORTS_BUSY', message: expect.stringContaining('at most 2 exports') });
      for (const c of held) c.abort();
      let after = 0;
      for (let i = 0; i < 50 && after !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await get(`/audit/events.csv?childId=${MOVED}`, 'inspector');
        after = res.status;
        await res.text();
      }
      expect(after).toBe(200);
      // Nothing left open in the database by the abandoned cursors.
      const open = await owner.query(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
      expect(Number(open.rows[0].count)).toBe(0);
    }, 60_000);

    it('aborts the download when the database connection drops mid-export: the client gets an error, never a short file that looks complete', async () => {
      const res = await get(`/audit/events.csv?childId=${BULK}`, 'inspector');
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      // Past the header (written before the cursor's first FETCH): data rows have come.
      let received = 0;
      while (received < 20_000) received += (await reader.read()).value?.length ?? 0;
      // The export's connection waits for this client (it reads nothing meanwhile): end its backend.
      const killed = await owner.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'FETCH FORWARD%' AND pid <> pg_backend_pid()`,
      );
      if (killed.rows.length !== 1) await reader.cancel();
      expect(killed.rows.map((r) => r.ok)).toEqual([true]);
      const drain = async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return 'complete';
          received += value.length;
        }
      };
      await expect(drain()).rejects.toThrow();
      // Part of the file had arrived: the failure came after the first byte, and was not hidden.
      expect(received).toBeGreaterThan(0);
      // The service lives on: the next export is whole.
      const again = await get(`/audit/events.csv?childId=${MOVED}`, 'inspector');
      expect(again.status).toBe(200);
      expect((await again.text()).trimEnd().split('\n')).toHaveLength(5);
    }, 60_000);
  });

  describe('a record as of a date, for an inspector', () => {
    it('shows a child who moved out as it stood on a day it lived in the jurisdiction (and audits the read)', async () => {
      const before = await readCount(`child_id = $1 AND view LIKE 'as_of%'`, [MOVED]);
      const res = await get(`/inspection/children/${MOVED}/as-of?date=2025-10-01&time=recorded&purpose=inspection`, 'inspector');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        asOf: '2025-10-01',
        time: 'recorded',
        record: { childId: MOVED, personal: { fullName: 'Vũ Thị Hoa', notes: 'đã xác minh' }, residence: { communeCode: '00004' } },
      });
      expect(await readCount(`child_id = $1 AND view LIKE 'as_of%'`, [MOVED])).toBe(before + 1);
      // The old route answers by where the child lives today: a 404 for Hà Nội's inspector.
      expect((await get(`/children/${MOVED}/as-of?date=2025-10-01&purpose=inspection`, 'inspector')).status).toBe(404);
    });

    it('answers 404 for a day it lived elsewhere, like an unknown child, and needs a purpose and a date', async () => {
      const elsewhere = await get(`/inspection/children/${MOVED}/as-of?date=2026-05-01&purpose=inspection`, 'inspector');
      const unknown = await get(`/inspection/children/nobody/as-of?date=2026-05-01&purpose=inspection`, 'inspector');
      expect([elsewhere.status, unknown.status]).toEqual([404, 404]);
      expect((await elsewhere.text()).replaceAll(MOVED, '<id>')).toBe((await unknown.text()).replaceAll('nobody', '<id>'));
      expect((await get(`/inspection/children/${MOVED}/as-of?date=2025-10-01`, 'inspector')).status).toBe(400);
      expect((await get(`/inspection/children/${MOVED}/as-of?purpose=inspection`, 'inspector')).status).toBe(400);
      expect((await get(`/inspection/children/${MOVED}/as-of?date=2026-05-01&purpose=inspection`, 'hcmInspector')).status).toBe(200);
    });
  });

  // Last: the tamper test alters the log.
  describe('integrity of the log', () => {
    const eventOf = async (childId: string, type: string): Promise<string> => {
      const items = (await (await get(`/audit/events?childId=${childId}`, 'admin')).json()).items as { eventId: string; eventType: string }[];
      return items.find((e) => e.eventType === type)!.eventId;
    };

    it('reports that verify-log passes up to the last signed checkpoint: seq, position, time, key id; audited; inspectors and admins only', async () => {
      const before = await readCount(`resource_type = 'log_integrity'`);
      const res = await get('/inspection/integrity', 'inspector');
      expect(res.status).toBe(200);
      const status = await res.json();
      expect(status).toMatchObject({ status: 'passed', events: 5, sealed: 5, unsealed: 0, problems: [] });
      expect(status.lastCheckpoint).toMatchObject({ seq: 5, keyId: sealKey.keyId, position: expect.stringMatching(/^\d+:\d+$/) });
      expect(status.trustedKeys).toEqual([{ keyId: sealKey.keyId, source: 'configured' }]);
      expect(await readCount(`resource_type = 'log_integrity'`)).toBe(before + 1);
      expect((await get('/inspection/integrity', 'caseWorker')).status).toBe(403);
    });

    it('downloads a proof for one event that verifies offline with the published key; an altered proof does not', async () => {
      const eventId = await eventOf(MOVED, 'ChildDetailsCorrected');
      const res = await get(`/inspection/proofs/${eventId}?purpose=inspection`, 'inspector');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="proof-${eventId}.json"`);
      const proof = (await res.json()) as InclusionProof;
      expect(proof.record.eventId).toBe(eventId);
      expect(verifyInclusionProof(proof, trustedSealKeys([sealKey.publicKeyBase64]))).toEqual({ ok: true });
      const altered = { ...proof, record: { ...proof.record, data: proof.record.data.replace('"childId"', '"childId" ') + ' ' } };
      expect(verifyInclusionProof(altered, trustedSealKeys([sealKey.publicKeyBase64])).ok).toBe(false);
      expect(await readCount(`resource_type = 'event_proof' AND resource_id = $1 AND child_id = $2`, [eventId, MOVED])).toBe(1);
    });

    it('answers 404 for an event of a child never in the jurisdiction, exactly like an unknown one; 400 for a malformed id or no purpose', async () => {
      const eventId = await eventOf(BULK, 'ChildRegistered');
      const outside = await get(`/inspection/proofs/${eventId}?purpose=inspection`, 'hcmInspector');
      const unknownId = '00000000-0000-4000-8000-000000000000';
      const unknown = await get(`/inspection/proofs/${unknownId}?purpose=inspection`, 'hcmInspector');
      expect([outside.status, unknown.status]).toEqual([404, 404]);
      expect((await outside.text()).replaceAll(eventId, '<id>')).toBe((await unknown.text()).replaceAll(unknownId, '<id>'));
      expect((await get(`/inspection/proofs/not-a-uuid?purpose=inspection`, 'inspector')).status).toBe(400);
      expect((await get(`/inspection/proofs/${eventId}`, 'inspector')).status).toBe(400);
    });

    it('reports failed, naming the altered event, once a stored event is edited (tampered log)', async () => {
      const eventId = await eventOf(MOVED, 'ResidenceChanged');
      await owner.query(`UPDATE events SET data = jsonb_set(data, '{communeCode}', '"00004"') WHERE event_id = $1`, [eventId]);
      app.get(IntegrityService).forget();
      const status = await (await get('/inspection/integrity', 'inspector')).json();
      expect(status.status).toBe('failed');
      expect(status.problems).toEqual([expect.objectContaining({ kind: 'content', eventId })]);
    });
  });
});
