import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE } from '@childledger/platform';
import { RegistryApiHarness } from '../../../test/registry-api.harness';
import { duplicateDecisionStreamId } from './duplicate-decision';

interface Page {
  items: { childId: string; otherChildId: string; probability: number; decision: string }[];
  next: string | null;
}
interface Written {
  id: string;
}

const pairOf = (a: string, b: string) => (a < b ? `${a}/${b}` : `${b}/${a}`);

describe('duplicates (stored list, not the same child, merge and revert)', () => {
  let api: RegistryApiHarness;
  const ids: Record<string, string> = {};

  const register = async (fullName: string, dateOfBirth: string, motherName: string) => {
    const res = await api.request<Written>('POST', '/children', {
      body: { fullName, dateOfBirth, sex: 'F', motherName, residence: { communeCode: '00004', effectiveFrom: '2025-07-01' } },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  /** The list is kept by a subscription: poll (bounded) until it shows what the test expects. */
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
  };
  const list = async (as: 'communeOfficer' | 'admin' | { role: 'data_officer'; provinces: string[]; communes: string[] } = 'communeOfficer') => {
    const res = await api.request<Page>('GET', '/reconciliation/duplicates?limit=10', { as });
    expect(res.status).toBe(200);
    return res.body.items.map((p) => `${p.childId}/${p.otherChildId}`);
  };

  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    ids.a = await register('Nguyễn Thị Thu Hà', '2016-03-14', 'Trần Thị Lan');
    ids.b = await register('Nguyen Thi Thu Ha', '2016-03-14', 'Tran Thi Lan');
    ids.c = await register('Lê Văn Khánh', '2014-09-02', 'Phạm Thị Hoa');
    ids.d = await register('Hoàng Minh Anh', '2018-01-20', 'Đỗ Thị Mai');
    ids.e = await register('Hoàng Minh Anh', '2018-01-20', 'Vũ Thị Hạnh');
    await eventually(async () => (await list()).length >= 2);
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('stores the likely pairs as records arrive, and only those', async () => {
    const pairs = await list();
    expect(pairs).toContain(pairOf(ids.a!, ids.b!));
    expect(pairs).toContain(pairOf(ids.d!, ids.e!));
    expect(pairs.some((p) => p.includes(ids.c!))).toBe(false);
    const first = await api.request<Page>('GET', '/reconciliation/duplicates?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next).not.toBeNull();
    const second = await api.request<Page>('GET', `/reconciliation/duplicates?limit=1&after=${first.body.next}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]).not.toEqual(first.body.items[0]);
    expect((await api.request('GET', '/reconciliation/duplicates?limit=0')).status).toBe(400);
  });

  it('filters by jurisdiction in SQL: an officer of another province sees no pair, and a pair reads as missing', async () => {
    const other = { role: 'data_officer' as const, provinces: ['79'], communes: [] };
    expect(await list(other)).toEqual([]);
    const res = await api.request('GET', `/reconciliation/duplicates/${pairOf(ids.a!, ids.b!)}?purpose=reconciliation`, { as: other });
    expect(res.status).toBe(404);
  });

  it('reads a pair side by side only with a purpose, and writes both records to the read audit first', async () => {
    const without = await api.request('GET', `/reconciliation/duplicates/${pairOf(ids.a!, ids.b!)}`);
    expect(without.status).toBe(400);
    const res = await api.request<{ record: { fullName: string }; other: { fullName: string }; fields: { field: string }[] }>(
      'GET',
      `/reconciliation/duplicates/${pairOf(ids.a!, ids.b!)}?purpose=reconciliation`,
    );
    expect(res.status).toBe(200);
    expect([res.body.record.fullName, res.body.other.fullName].sort()).toEqual(['Nguyen Thi Thu Ha', 'Nguyễn Thị Thu Hà']);
    expect(res.body.fields.map((f) => f.field)).toContain('name');
    const audit = await api.owner.query(`SELECT child_id FROM read_audit WHERE purpose = 'reconciliation' AND child_id = ANY($1)`, [[ids.a, ids.b]]);
    expect(audit.rows.map((r) => r.child_id).sort()).toEqual([ids.a, ids.b].sort());
  });

  it('remembers "not the same child": an audited event, and the pair does not come back after a correction', async () => {
    const res = await api.request<{ events: { type: string }[] }>('POST', `/reconciliation/duplicates/${pairOf(ids.d!, ids.e!)}/not-same`, {
      body: { reason: 'hai trẻ khác nhau, mẹ khác' },
    });
    expect(res.status).toBe(200);
    expect(res.body.events.map((e) => e.type)).toEqual(['ChildRecordsNotDuplicates']);
    const again = await api.request('POST', `/reconciliation/duplicates/${pairOf(ids.d!, ids.e!)}/not-same`, { body: { reason: 'lặp lại' } });
    // Decided once: a second decision writes no second event (checked on the pair's stream below). It is
    // a conflict (409: the pair's stream exists) while the pair is still listed, and 404 once the
    // subscription has taken the decided pair out of the list, whichever comes first.
    expect([409, 404]).toContain(again.status);
    const noReason = await api.request<{ problems: { field: string }[] }>('POST', `/reconciliation/duplicates/${pairOf(ids.a!, ids.b!)}/not-same`, {
      body: {},
    });
    expect(noReason.status).toBe(400);
    await eventually(async () => !(await list()).includes(pairOf(ids.d!, ids.e!)));
    expect(await list()).not.toContain(pairOf(ids.d!, ids.e!));
    const corrected = await api.request('POST', `/children/${ids.e}/corrections`, {
      body: { changes: { fatherName: 'Hoàng Văn Nam' }, reason: 'bổ sung tên cha' },
    });
    expect(corrected.status).toBe(200);
    await eventually(
      async () =>
        (await api.owner.query(`SELECT 1 FROM subscription_checkpoints WHERE subscription_name = 'reconciliation-duplicates' AND checkpoint IS NOT NULL`)).rows
          .length > 0,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await list()).not.toContain(pairOf(ids.d!, ids.e!));
    const events = await api.app.get<EventStore>(EVENT_STORE).readStream(duplicateDecisionStreamId(ids.d!, ids.e!));
    expect(events.map((e) => e.type)).toEqual(['ChildRecordsNotDuplicates']);
    expect(events[0]?.metadata.actor).toMatchObject({ role: 'data_officer' });
    expect((events[0]?.data as { personal: { reason: string } }).personal.reason).toBe('hai trẻ khác nhau, mẹ khác');
  });

  it('a merge takes the pair out and into the merges in force; a revert puts it back', async () => {
    const merged = await api.request('POST', '/reconciliation/merges', {
      body: { duplicateChildId: ids.b, survivingChildId: ids.a, reason: 'cùng một trẻ, đăng ký hai lần' },
    });
    expect(merged.status).toBe(200);
    await eventually(async () => (await api.request<{ items: unknown[] }>('GET', '/reconciliation/merges')).body.items.length > 0);
    expect(await list()).not.toContain(pairOf(ids.a!, ids.b!));
    const merges = await api.request<{ items: { childId: string; survivingChildId: string }[] }>('GET', '/reconciliation/merges');
    expect(merges.body.items).toEqual([expect.objectContaining({ childId: ids.b, survivingChildId: ids.a })]);
    const reverted = await api.request('POST', `/reconciliation/merges/${ids.b}/revert`, { body: { reason: 'nhầm, không phải cùng trẻ' } });
    expect(reverted.status).toBe(200);
    await eventually(async () => (await list()).includes(pairOf(ids.a!, ids.b!)));
    expect((await api.request<{ items: unknown[] }>('GET', '/reconciliation/merges')).body.items).toEqual([]);
    expect(await list()).toContain(pairOf(ids.a!, ids.b!));
  });
});
