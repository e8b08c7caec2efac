import { randomUUID } from 'node:crypto';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { ChildrenIndexStore, ReviewQueueStore } from '@childledger/identity';
import { BA_DINH, RegistryApiHarness, registration } from './registry-api.harness';

type Written = { id: string; revision: number; events: { id: string; type: string }[] };
type Queue = { items: { childId: string; communeCode: string; candidateCount: number; bestProbability: number | null }[]; next: string | null };
type Review = {
  childId: string;
  revision: number;
  probability: number;
  record: { fullName?: string; communeCode?: string };
  candidates: { personalId: string; person: { fullName?: string } | null; fields: { field: string; agreement: string; weight: number }[] }[];
};

type FieldName = 'name' | 'dateOfBirth' | 'sex' | 'personalId' | 'place' | 'father' | 'mother';
const field = (f: FieldName, level: string, agrees: boolean | null, weight: number) => ({ field: f, label: f, level, description: level, agrees, weight });

describe('registry API: identity reviews', () => {
  let api: RegistryApiHarness;
  let children: ChildrenIndexStore;
  let reviews: ReviewQueueStore;
  const ids: string[] = [];
  const elsewhere = loadAdministrativeUnits()
    .unitsInForceOn(new Date())
    .communes.find((c) => c.provinceCode !== '01')!.code;

  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    children = new ChildrenIndexStore(api.owner);
    reviews = new ReviewQueueStore(api.owner);
    for (let i = 0; i < 3; i++) {
      const res = await api.post<Written>('/children', registration({ fullName: `Nguyễn Văn Thử ${['An', 'Bình', 'Cường'][i]}` }), 'communeOfficer');
      expect(res.status).toBe(201);
      const id = res.body.id;
      ids.push(id);
      // What the identity adapter's subscription and resolver write for a registration sent to review.
      await children.register(id, BA_DINH, '2025-07-01');
      await reviews.open({
        childId: id,
        communeCode: BA_DINH,
        reason: '2 candidate(s)',
        explanation: '',
        requestedEventId: randomUUID(),
        requestedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        candidates: [
          {
            personalId: `00131601234${i}`,
            probability: 0.61,
            weight: 9.5,
            fields: [
              field('name', 'exact', true, 8),
              field('dateOfBirth', 'day_month_swapped', true, 3),
              field('father', 'missing', null, 0),
              field('sex', 'different', false, -4),
            ],
            resident: { fullName: 'Nguyễn Văn Thử', sex: 'M', dateOfBirth: '2016-03-14', residenceCommuneCode: BA_DINH },
          },
          { personalId: `00131609876${i}`, probability: 0.39, weight: 8.7, fields: [field('name', 'similar', false, 1.5)] },
        ],
      });
    }
  });
  afterAll(() => api.stop());

  it('pages the queue by keyset, oldest first, with no personal data', async () => {
    const first = await api.get<Queue>('/reconciliation/reviews?limit=2', 'communeOfficer', null);
    expect(first.status).toBe(200);
    expect(first.body.items.map((i) => i.childId)).toEqual([ids[0], ids[1]]);
    expect(first.body.items[0]).toMatchObject({ communeCode: BA_DINH, candidateCount: 2, bestProbability: 0.61 });
    expect(JSON.stringify(first.body)).not.toContain('Nguyễn');
    const second = await api.get<Queue>(`/reconciliation/reviews?limit=2&after=${first.body.next}`, 'communeOfficer', null);
    expect(second.body.items.map((i) => i.childId)).toEqual([ids[2]]);
    expect(second.body.next).toBeNull();
    expect((await api.get('/reconciliation/reviews?after=nonsense', 'communeOfficer', null)).status).toBe(400);
    expect((await api.get('/reconciliation/reviews?limit=0', 'communeOfficer', null)).status).toBe(400);
  });

  it('follows the child who moved: the review leaves the old commune (in SQL), and reads as not found there', async () => {
    await children.moved(ids[2]!, elsewhere, '2026-02-01');
    const list = await api.get<Queue>(`/reconciliation/reviews?commune=${BA_DINH}`, 'communeOfficer', null);
    expect(list.body.items.map((i) => i.childId)).toEqual([ids[0], ids[1]]);
    expect((await api.get(`/reconciliation/reviews/${ids[2]}`, 'communeOfficer', 'reconciliation')).status).toBe(404);
    const admin = await api.get<Queue>(`/reconciliation/reviews?commune=${elsewhere}`, 'admin', null);
    expect(admin.body.items.map((i) => i.childId)).toEqual([ids[2]]);
    expect((await api.get(`/reconciliation/reviews?commune=${elsewhere}`, 'communeOfficer', null)).status).toBe(404);
    expect((await api.get('/reconciliation/reviews', 'provinceCaseWorker', null)).status).toBe(403);
  });

  it('shows a review side by side with agreement and weight, after a purpose and a read-audit row', async () => {
    expect((await api.get(`/reconciliation/reviews/${ids[0]}`, 'communeOfficer', null)).status).toBe(400);
    const res = await api.get<Review>(`/reconciliation/reviews/${ids[0]}`, 'communeOfficer', 'reconciliation');
    expect(res.status).toBe(200);
    expect(res.body.probability).toBe(0.61);
    expect(res.body.record).toMatchObject({ fullName: 'Nguyễn Văn Thử An', communeCode: BA_DINH });
    expect(res.body.candidates[0]!.person).toMatchObject({ fullName: 'Nguyễn Văn Thử' });
    expect(res.body.candidates[1]!.person).toBeNull();
    expect(res.body.candidates[0]!.fields.map((f) => [f.field, f.agreement, f.weight])).toEqual([
      ['name', 'agree', 8],
      ['dateOfBirth', 'partial', 3],
      ['father', 'missing', 0],
      ['sex', 'disagree', -4],
    ]);
    expect(res.body.candidates[1]!.fields[0]).toMatchObject({ agreement: 'partial' });
    const audit = await api.readAudit(ids[0]!);
    expect(audit).toEqual([expect.objectContaining({ user_id: 'dev-commune-officer', purpose: 'reconciliation', view: 'identity_review', child_id: ids[0] })]);
  });

  it('applies the three decisions with a reason through the command bus, If-Match checked', async () => {
    const review = (await api.get<Review>(`/reconciliation/reviews/${ids[0]}`, 'communeOfficer', 'reconciliation')).body;
    const stale = await api.post(
      `/reconciliation/reviews/${ids[0]}/accept`,
      { personalId: review.candidates[0]!.personalId, reason: 'same parents' },
      'communeOfficer',
      { 'if-match': `"${review.revision + 5}"` },
    );
    expect(stale.status).toBe(409);
    const bad = await api.post(`/reconciliation/reviews/${ids[0]}/accept`, { personalId: '001216000000', reason: 'same parents' }, 'communeOfficer');
    expect(bad.status).toBe(400);
    const accepted = await api.post<Written>(
      `/reconciliation/reviews/${ids[0]}/accept`,
      { personalId: review.candidates[0]!.personalId, reason: 'same parents' },
      'communeOfficer',
      { 'if-match': `"${review.revision}"` },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.events.map((e) => e.type)).toEqual(['NationalIdLinked']);
    const rejected = await api.post<Written>(`/reconciliation/reviews/${ids[1]}/reject`, { reason: 'different mother' }, 'communeOfficer');
    expect(rejected.status).toBe(200);
    await children.moved(ids[2]!, BA_DINH, '2026-03-01');
    const none = await api.post<Written>(`/reconciliation/reviews/${ids[2]}/no-national-record`, { reason: 'birth never registered' }, 'communeOfficer');
    expect(none.status).toBe(200);
    const last = (id: string) => api.events(`child-${id}`).then((e) => e[e.length - 1]!);
    expect(await last(ids[0]!)).toMatchObject({ event_type: 'NationalIdLinked', metadata: { review: 'accepted', reason: 'same parents' } });
    expect(await last(ids[1]!)).toMatchObject({ event_type: 'NoNationalRecordFound', metadata: { review: 'rejected_all', reason: 'different mother' } });
    expect(await last(ids[2]!)).toMatchObject({
      event_type: 'NoNationalRecordFound',
      metadata: { review: 'no_national_record', reason: 'birth never registered' },
    });
    expect((await api.get<Queue>('/reconciliation/reviews', 'communeOfficer', null)).body.items).toEqual([]);
    expect((await api.post(`/reconciliation/reviews/${ids[1]}/reject`, { reason: 'again' }, 'communeOfficer')).status).toBe(404);
  });
});
