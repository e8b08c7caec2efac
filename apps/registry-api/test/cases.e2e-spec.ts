import { vietnamDate } from '@childledger/domain';
import { RegistryApiHarness, registration } from './registry-api.harness';

const today = vietnamDate(new Date());

type Written = { id: string; revision: number; events: { id: string; type: string }[] };

describe('registry API: protection cases', () => {
  let api: RegistryApiHarness;
  let childId: string;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    childId = (await api.post<Written>('/children', registration())).body.id;
  });
  afterAll(() => api.stop());

  it('walks a case through every command: open, assess, plan, deliver, refer, review, close, reopen', async () => {
    const reportedAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    const opened = await api.post<Written>(
      '/cases',
      { childId, channel: 'hotline_111', concern: 'physical_abuse', protectionLevel: 'intervention', reportedAt, description: 'neighbour called 111' },
      'provinceCaseWorker',
      { 'x-correlation-id': 'case-open-1' },
    );
    expect(opened.status).toBe(201);
    expect(opened.headers.get('location')).toBe(`/api/v1/cases/${opened.body.id}`);
    const caseId = opened.body.id;
    const [event] = await api.events(`case-${caseId}`);
    // A report of abuse: assessment due 12 hours after the report.
    expect(event!.data).toMatchObject({ childId, assessmentDueAt: new Date(Date.parse(reportedAt) + 12 * 3600_000).toISOString() });
    expect(event!.metadata).toMatchObject({ actor: { userId: 'dev-province-case-worker', role: 'case_worker', unit: '01' }, correlationId: 'case-open-1' });

    const as = 'provinceCaseWorker' as const;
    const steps: [string, unknown, string][] = [
      [`/cases/${caseId}/assessment`, { riskLevel: 'high', notes: 'visible injuries' }, 'CaseAssessed'],
      [`/cases/${caseId}/interventions`, { interventionId: '0b6f7c1e-2a0d-4d5e-9c1a-3f6b8e2d4a10', serviceType: 'health', provider: 'Bệnh viện Nhi Trung ương', plannedStart: today, plannedEnd: today }, 'InterventionPlanned'],
      [`/cases/${caseId}/interventions/0b6f7c1e-2a0d-4d5e-9c1a-3f6b8e2d4a10/deliveries`, { deliveredOn: today }, 'InterventionDelivered'],
      [`/cases/${caseId}/referrals`, { sector: 'public_security', referredTo: 'Công an phường Ba Đình', reason: 'possible crime' }, 'CaseReferred'],
      [`/cases/${caseId}/reviews`, { riskLevel: 'low' }, 'CaseReviewed'],
      [`/cases/${caseId}/closure`, { outcome: 'risk_removed' }, 'CaseClosed'],
      [`/cases/${caseId}/reopening`, { reason: 'new report from school' }, 'CaseReopened'],
    ];
    for (const [i, [path, body, type]] of steps.entries()) {
      const res = await api.post<Written>(path, body, as);
      expect({ path, status: res.status, type: res.body.events?.[0]?.type }).toEqual({ path, status: 200, type });
      expect(res.headers.get('etag')).toBe(`"${i + 1}"`);
    }
    const now = await api.get(`/cases/${caseId}`, 'provinceInspector');
    expect(now.status).toBe(200);
    expect(now.headers.get('etag')).toBe('"7"');
    expect(now.body).toMatchObject({ caseId, childId, status: 'report_received', revision: 7 });
    const reopened = (await api.events(`case-${caseId}`))[7]!;
    expect(reopened.metadata).toMatchObject({ reason: 'new report from school' });
  });

  it('refuses a case command outside the case worker role and jurisdiction', async () => {
    const opened = await api.post<Written>(
      '/cases',
      { childId, channel: 'school', concern: 'out_of_school', protectionLevel: 'prevention', reportedAt: new Date().toISOString() },
      'admin',
    );
    expect(opened.status).toBe(201);
    expect((await api.post(`/cases/${opened.body.id}/assessment`, { riskLevel: 'low' }, 'communeOfficer')).status).toBe(403);
    const elsewhere = await api.request('POST', `/cases/${opened.body.id}/assessment`, { body: { riskLevel: 'low' }, as: { role: 'case_worker', provinces: ['79'] } });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ errors: [{ rule: 'JURISDICTION' }] });
  });
});
