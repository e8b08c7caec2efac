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
      [
        `/cases/${caseId}/interventions`,
        {
          interventionId: '0b6f7c1e-2a0d-4d5e-9c1a-3f6b8e2d4a10',
          serviceType: 'health',
          provider: 'Bệnh viện Nhi Trung ương',
          plannedStart: today,
          plannedEnd: today,
        },
        'InterventionPlanned',
      ],
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

  describe('the read policy for case content', () => {
    async function openCase(): Promise<string> {
      const opened = await api.post<Written>(
        '/cases',
        {
          childId,
          channel: 'hotline_111',
          concern: 'neglect',
          protectionLevel: 'support',
          reportedAt: new Date().toISOString(),
          description: 'hàng xóm gọi 111',
        },
        'provinceCaseWorker',
      );
      expect(opened.status).toBe(201);
      return opened.body.id;
    }

    it('one role table: case workers, inspectors and admins read a case; a data officer is refused (403 naming the rule), whatever the case', async () => {
      const caseId = await openCase();
      for (const as of ['provinceCaseWorker', 'provinceInspector', 'admin'] as const)
        expect([as, (await api.get(`/cases/${caseId}`, as)).status]).toEqual([as, 200]);
      const refused = await api.get(`/cases/${caseId}`, 'communeOfficer');
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ errors: [{ rule: 'ROLE' }] });
      expect(refused.text).not.toContain('hàng xóm');
      // The same refusal for a case that does not exist: the rule, not the record.
      const unknown = await api.get(`/cases/00000000-0000-4000-8000-000000000000`, 'communeOfficer');
      expect({ status: unknown.status, body: unknown.body }).toEqual({ status: refused.status, body: refused.body });
    });

    it("needs a purpose (400 naming purpose) and writes the read audit, with the case's child, before returning the case", async () => {
      const caseId = await openCase();
      const none = await api.get(`/cases/${caseId}`, 'provinceCaseWorker', null);
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ field: 'purpose', errors: [{ field: 'purpose', rule: 'PURPOSE_REQUIRED' }] });
      expect((await api.get(`/cases/${caseId}?purpose=statistic`, 'provinceCaseWorker', null)).status).toBe(400);
      expect(await api.readAudit(caseId)).toEqual([]);
      const res = await api.get(`/cases/${caseId}?purpose=case_work`, 'provinceCaseWorker', null);
      expect(res.status).toBe(200);
      expect(await api.readAudit(caseId)).toEqual([
        {
          user_id: 'dev-province-case-worker',
          role: 'case_worker',
          purpose: 'case_work',
          resource_type: 'case',
          child_id: childId,
          view: 'current',
          correlation_id: expect.any(String),
        },
      ]);
    });

    it('answers a case whose child lives outside the jurisdiction exactly like one that does not exist (404, same body)', async () => {
      const caseId = await openCase();
      const missing = '00000000-0000-4000-8000-000000000000';
      const stranger = { role: 'case_worker' as const, userId: 'hcm-case-worker', provinces: ['79'] };
      const outside = await api.request('GET', `/cases/${caseId}`, { as: stranger, headers: { 'x-purpose': 'case_work' } });
      const unknown = await api.request('GET', `/cases/${missing}`, { as: stranger, headers: { 'x-purpose': 'case_work' } });
      expect(outside.status).toBe(404);
      expect(outside.text.replaceAll(caseId, '<id>')).toBe(unknown.text.replaceAll(missing, '<id>'));
      expect(outside.text).not.toContain(childId);
      expect(outside.text).not.toMatch(/\b\d{5}\b|commune|jurisdiction/);
      expect(await api.readAudit(caseId)).toEqual([]);
    });
  });

  it('refuses a case command outside the case worker role and jurisdiction', async () => {
    const opened = await api.post<Written>(
      '/cases',
      { childId, channel: 'school', concern: 'out_of_school', protectionLevel: 'prevention', reportedAt: new Date().toISOString() },
      'admin',
    );
    expect(opened.status).toBe(201);
    expect((await api.post(`/cases/${opened.body.id}/assessment`, { riskLevel: 'low' }, 'communeOfficer')).status).toBe(403);
    const elsewhere = await api.request('POST', `/cases/${opened.body.id}/assessment`, {
      body: { riskLevel: 'low' },
      as: { role: 'case_worker', provinces: ['79'] },
    });
    // Outside the jurisdiction a case answers like one that does not exist.
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toMatchObject({ errors: [{ rule: 'CASE_NOT_FOUND' }] });
  });
});
