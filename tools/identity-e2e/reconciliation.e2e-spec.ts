import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { childStreamId, vietnamDate } from '@childledger/domain';
import type { EventStore, RecordedEvent } from '@childledger/event-store';
import { SandboxResidentsStore } from '@childledger/identity';
import { AuthenticatedUser, PlatformConfig, Role } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { generateScenario, ResidentRow } from '@childledger/testing';
import { EncryptingPostgresEventStore, PgDataKeyring, resolveKeyEncryptionKey } from '@childledger/trust';
import { createIdentityAdapter } from '../../apps/identity-adapter/src/identity-adapter.app';
import { createPopulationRegistrySandbox } from '../../apps/population-registry-sandbox/src/sandbox.app';
import { SANDBOX_STORE } from '../../apps/population-registry-sandbox/src/sandbox.tokens';
import { createRegistryApi } from '../../apps/registry-api/src/registry-api.app';

const CLIENT = { SANDBOX_CLIENT_ID: 'adapter-e2e', SANDBOX_CLIENT_SECRET: 'an-e2e-secret-123' };

// The wiring of `npm start`: registry API, sandbox national database and identity adapter, each a
// Nest app on its own port over one database, with the sandbox's default (faulty) behaviour.
describe('reconciliation and identity linking, wired as under npm start', () => {
  let db: TestDatabase;
  let auth: TestAuth;
  const apps: INestApplication[] = [];
  let api = '';
  let pool: Pool;
  let store: EventStore;
  let residents: ResidentRow[];
  let children: ResidentRow[];
  const units = loadAdministrativeUnits();
  const today = vietnamDate(new Date());

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    auth = await createTestAuth();
    residents = generateScenario({ seed: 31, households: 250, records: 0 }).residents;
    const minDob = `${Number(today.slice(0, 4)) - 15}${today.slice(4)}`;
    children = residents.filter((r) => r.date_of_birth > minDob && r.date_of_birth <= today && units.isCommuneValidOn(r.residence_commune_code, today));
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const });
    const sandbox = await createPopulationRegistrySandbox(config, db.url, {
      auth: auth.auth,
      sandbox: CLIENT,
      // npm start's defaults but a short hang, so a timeout costs the test little.
      faults: { timeoutHangMs: 3000 },
      residents: () =>
        residents.map((r) => ({
          personalId: r.personal_id,
          fullName: r.full_name,
          sex: r.sex,
          dateOfBirth: r.date_of_birth,
          residenceCommuneCode: r.residence_commune_code,
          motherFullName: r.mother_full_name,
          fatherFullName: r.father_full_name,
        })),
    });
    const sandboxPort = await freePort();
    await sandbox.listen(sandboxPort, '127.0.0.1');
    apps.push(sandbox);
    const adapter = await createIdentityAdapter(config, db.url, {
      auth: auth.auth,
      adapter: {
        NATIONAL_REGISTRY_URL: `http://127.0.0.1:${sandboxPort}/api/v1`,
        NATIONAL_REGISTRY_CLIENT_ID: CLIENT.SANDBOX_CLIENT_ID,
        NATIONAL_REGISTRY_CLIENT_SECRET: CLIENT.SANDBOX_CLIENT_SECRET,
        NATIONAL_REGISTRY_TIMEOUT_MS: 500,
      },
      settings: { retryDelayMs: 200, maxRetryDelayMs: 1000 },
    });
    await adapter.listen(await freePort(), '127.0.0.1');
    apps.push(adapter);
    const registry = await createRegistryApi(config, db.url, { auth: auth.auth, poolSize: 5 });
    const port = await freePort();
    await registry.listen(port, '127.0.0.1');
    apps.push(registry);
    api = `http://127.0.0.1:${port}/api/v1`;
    pool = createPool(db.url, { max: 3 });
    store = new EncryptingPostgresEventStore({ pool }, new PgDataKeyring(pool, { kek: resolveKeyEncryptionKey(undefined) }));
    // A namesake born the same day in the same commune as children[1]: that child must go to review.
    await sandbox.get<SandboxResidentsStore>(SANDBOX_STORE).seed([
      {
        personalId: `${children[1]!.personal_id.slice(0, 6)}888888`,
        fullName: children[1]!.full_name,
        sex: children[1]!.sex,
        dateOfBirth: children[1]!.date_of_birth,
        residenceCommuneCode: children[1]!.residence_commune_code,
      },
    ]);
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await store.close();
    await pool.end();
    await db.drop();
  });

  const communeElsewhere = (province: string) => units.unitsInForceOn(today).communes.find((c) => c.provinceCode !== province)!.code;
  const provinceOf = (commune: string) => units.provinceOfCommune(commune, '2025-07-01')!;
  const officerOf = (commune: string) => ({
    role: 'data_officer' as Role,
    userId: `officer-${commune}`,
    communes: [commune],
    provinces: [provinceOf(commune)],
  });
  const tokens = new Map<string, string>();
  async function call(method: string, path: string, as: Partial<AuthenticatedUser> & { role: Role }, body?: unknown) {
    const key = JSON.stringify(as);
    if (!tokens.has(key)) tokens.set(key, await auth.tokenFor(as));
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(key)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => ({}))) as Record<string, unknown> & {
        items?: { childId: string; candidateCount: number }[];
        candidates?: { personalId: string }[];
      },
    };
  }
  async function register(r: Pick<ResidentRow, 'full_name' | 'date_of_birth' | 'sex'>, commune: string): Promise<string> {
    const res = await call('POST', '/children', officerOf(commune), {
      fullName: r.full_name,
      dateOfBirth: r.date_of_birth,
      sex: r.sex,
      residence: { communeCode: commune, effectiveFrom: today },
    });
    expect(res.status).toBe(201);
    return String(res.body['id']);
  }
  async function identityOf(childId: string, commune: string, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await call('GET', `/children/${childId}?purpose=reconciliation`, officerOf(commune));
      const identity = String(res.body['identity']);
      if (identity !== 'unchecked' || Date.now() > deadline) return identity;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const lastEvent = async (childId: string): Promise<RecordedEvent> =>
    (await store.readStream(childStreamId(childId), { direction: 'backwards', maxCount: 1 }))[0]!;

  it('a child registered through the API is linked, sent to review or reported unmatched within seconds', async () => {
    const started = Date.now();
    const linked = await register(children[0]!, children[0]!.residence_commune_code);
    const review = await register(children[1]!, children[1]!.residence_commune_code);
    const unmatched = await register({ full_name: 'Khổng Minh Triết', date_of_birth: '2019-02-03', sex: 'M' }, children[2]!.residence_commune_code);
    expect(await identityOf(linked, children[0]!.residence_commune_code)).toBe('linked');
    expect(await identityOf(review, children[1]!.residence_commune_code)).toBe('review_requested');
    expect(await identityOf(unmatched, children[2]!.residence_commune_code)).toBe('no_national_record');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  describe('review queue', () => {
    let childId: string;
    const r = () => children[1]!;
    beforeAll(async () => {
      // The queue lists reviews without personal data; each review's candidates are read with a purpose.
      const officer = officerOf(r().residence_commune_code);
      const list = await call('GET', '/reconciliation/reviews', officer);
      for (const item of list.body.items!) {
        const review = await call('GET', `/reconciliation/reviews/${item.childId}?purpose=reconciliation`, officer);
        if (review.body.candidates!.some((c) => c.personalId === r().personal_id)) childId = item.childId;
      }
      expect(childId).toBeDefined();
    });

    it("shows open reviews with candidates only within the officer's jurisdiction and only to data officers", async () => {
      const mine = await call('GET', '/reconciliation/reviews', officerOf(r().residence_commune_code));
      expect(mine.status).toBe(200);
      const item = mine.body.items!.find((x) => x.childId === childId)!;
      expect(item.candidateCount).toBeGreaterThanOrEqual(2);
      const review = await call('GET', `/reconciliation/reviews/${childId}?purpose=reconciliation`, officerOf(r().residence_commune_code));
      expect(review.body.candidates!.length).toBe(item.candidateCount);
      const otherCommune = communeElsewhere(provinceOf(r().residence_commune_code));
      const theirs = await call('GET', '/reconciliation/reviews', officerOf(otherCommune));
      expect(theirs.body.items!.some((x) => x.childId === childId)).toBe(false);
      expect((await call('GET', '/reconciliation/reviews', { role: 'case_worker', provinces: [provinceOf(r().residence_commune_code)] })).status).toBe(403);
      expect((await call('GET', '/reconciliation/reviews', { role: 'inspector', provinces: [provinceOf(r().residence_commune_code)] })).status).toBe(403);
      expect((await call('GET', '/reconciliation/reviews', { role: 'admin' })).body.items!.some((x) => x.childId === childId)).toBe(true);
    });

    it('refuses to accept a number that is not a candidate, without a reason, or outside the jurisdiction; writes nothing', async () => {
      const before = (await store.readStream(childStreamId(childId))).length;
      const officer = officerOf(r().residence_commune_code);
      const notCandidate = await call('POST', `/reconciliation/reviews/${childId}/accept`, officer, { personalId: '001215000001', reason: 'looks right' });
      expect(notCandidate.status).toBe(400);
      expect(JSON.stringify(notCandidate.body)).toContain('personalId');
      const noReason = await call('POST', `/reconciliation/reviews/${childId}/accept`, officer, { personalId: r().personal_id });
      expect(noReason.status).toBe(400);
      expect(JSON.stringify(noReason.body)).toContain('reason');
      const other = children.find(
        (c) => c.residence_commune_code !== r().residence_commune_code && provinceOf(c.residence_commune_code) === provinceOf(r().residence_commune_code),
      );
      if (other) {
        // Outside the jurisdiction, a review answers exactly like one that does not exist (nothing about the child leaks).
        const outsider = officerOf(other.residence_commune_code);
        const outside = await call('POST', `/reconciliation/reviews/${childId}/accept`, outsider, { personalId: r().personal_id, reason: 'x'.repeat(5) });
        const unknown = await call('POST', `/reconciliation/reviews/${randomUUID()}/accept`, outsider, { personalId: r().personal_id, reason: 'x'.repeat(5) });
        expect(outside.status).toBeGreaterThanOrEqual(400);
        expect({ status: outside.status, body: outside.body }).toEqual({ status: unknown.status, body: unknown.body });
      }
      expect(
        (
          await call(
            'POST',
            `/reconciliation/reviews/${childId}/accept`,
            { role: 'case_worker', provinces: [provinceOf(r().residence_commune_code)] },
            { personalId: r().personal_id, reason: 'looks right' },
          )
        ).status,
      ).toBe(403);
      expect(await store.readStream(childStreamId(childId))).toHaveLength(before);
    });

    it('accepts a candidate (NationalIdLinked by the officer, with the reason) and unlinks it again with a reason', async () => {
      const officer = officerOf(r().residence_commune_code);
      const accepted = await call('POST', `/reconciliation/reviews/${childId}/accept`, officer, {
        personalId: r().personal_id,
        reason: 'birth certificate seen at the commune office',
      });
      expect(accepted.status).toBe(200);
      const linked = await lastEvent(childId);
      expect(linked.type).toBe('NationalIdLinked');
      expect(linked.data).toMatchObject({ source: 'officer', personal: { personalId: r().personal_id } });
      expect(linked.metadata).toMatchObject({
        actor: { userId: officer.userId, role: 'data_officer' },
        reason: 'birth certificate seen at the commune office',
      });
      const list = await call('GET', '/reconciliation/reviews', officer);
      expect(list.body.items!.some((x) => x.childId === childId)).toBe(false);
      // A decided review is no longer open: deciding it again answers as an unknown one.
      expect((await call('POST', `/reconciliation/reviews/${childId}/reject`, officer, { reason: 'none fits' })).status).toBe(404);

      expect((await call('POST', `/reconciliation/children/${childId}/unlink`, officer, {})).status).toBe(400);
      const unlinked = await call('POST', `/reconciliation/children/${childId}/unlink`, officer, { reason: 'the mother says this is her twin' });
      expect(unlinked.status).toBe(200);
      expect((await lastEvent(childId)).type).toBe('NationalIdUnlinked');
      // Nothing left to unlink: the domain's rule, as a 4xx.
      expect((await call('POST', `/reconciliation/children/${childId}/unlink`, officer, { reason: 'again' })).status).toBeGreaterThanOrEqual(400);
    });

    it('rejects all candidates of another review (NoNationalRecordFound by the officer)', async () => {
      const twin = children[3]!;
      await new SandboxResidentsStore(pool).seed([
        {
          personalId: `${twin.personal_id.slice(0, 6)}777777`,
          fullName: twin.full_name,
          sex: twin.sex,
          dateOfBirth: twin.date_of_birth,
          residenceCommuneCode: twin.residence_commune_code,
        },
      ]);
      const id = await register(twin, twin.residence_commune_code);
      expect(await identityOf(id, twin.residence_commune_code)).toBe('review_requested');
      const rejected = await call('POST', `/reconciliation/reviews/${id}/reject`, officerOf(twin.residence_commune_code), {
        reason: 'neither candidate lives here',
      });
      expect(rejected.status).toBe(200);
      const last = await lastEvent(id);
      expect(last.type).toBe('NoNationalRecordFound');
      expect(last.data['source']).toBe('officer');
      expect(last.metadata['reason']).toBe('neither candidate lives here');
    });
  });

  describe('duplicates', () => {
    it('finds the same child registered in two communes, merges it for a province officer, refuses others, and reverts', async () => {
      const r = children[4]!;
      const province = provinceOf(r.residence_commune_code);
      const otherCommune = units.unitsInForceOn(today).communes.find((c) => c.provinceCode === province && c.code !== r.residence_commune_code)!.code;
      const first = await register(r, r.residence_commune_code);
      const second = await register(r, otherCommune);
      await identityOf(first, r.residence_commune_code);
      await identityOf(second, otherCommune);
      const provinceOfficer = { role: 'data_officer' as Role, userId: 'province-officer', provinces: [province], communes: [] };
      let pair: Record<string, unknown> | undefined;
      for (let i = 0; i < 40 && !pair; i++) {
        const res = await call('GET', '/reconciliation/duplicates', provinceOfficer);
        expect(res.status).toBe(200);
        pair = (res.body['items'] as Record<string, unknown>[]).find((p) => [p['childId'], p['otherChildId']].sort().join() === [first, second].sort().join());
        if (!pair) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(pair).toMatchObject({ decision: expect.stringMatching(/linked|review/), probability: expect.any(Number) });
      expect(JSON.stringify(pair)).not.toContain(r.full_name);
      // Outside the province: not listed.
      const farList = await call('GET', '/reconciliation/duplicates', {
        role: 'data_officer',
        provinces: [provinceOf(communeElsewhere(province))],
        communes: [],
      });
      expect((farList.body['items'] as Record<string, unknown>[]).some((p) => p['childId'] === first || p['otherChildId'] === first)).toBe(false);

      // A commune officer holds only one of the two records: refused as if the other did not exist, nothing written.
      const communeOfficer = officerOf(otherCommune);
      const refused = await call('POST', '/reconciliation/merges', communeOfficer, {
        duplicateChildId: second,
        survivingChildId: first,
        reason: 'same child twice',
      });
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ code: 'CHILD_NOT_FOUND' });
      expect((await lastEvent(second)).type).not.toBe('ChildRecordsMerged');
      expect((await call('POST', '/reconciliation/merges', provinceOfficer, { duplicateChildId: second, survivingChildId: first })).status).toBe(400);

      const merged = await call('POST', '/reconciliation/merges', provinceOfficer, {
        duplicateChildId: second,
        survivingChildId: first,
        reason: 'same child registered in two communes',
      });
      expect(merged.status).toBe(200);
      const m = await lastEvent(second);
      expect(m).toMatchObject({ type: 'ChildRecordsMerged', data: { survivingChildId: first }, metadata: { reason: 'same child registered in two communes' } });
      const reverted = await call('POST', `/reconciliation/merges/${second}/revert`, provinceOfficer, { reason: 'they are twins after all' });
      expect(reverted.status).toBe(200);
      expect((await lastEvent(second)).type).toBe('ChildRecordsMergeReverted');
      expect((await call('POST', `/reconciliation/merges/${second}/revert`, provinceOfficer, { reason: 'again' })).status).toBeGreaterThanOrEqual(400);
    });
  });
});
