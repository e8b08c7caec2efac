import { RegistryApiHarness, registration } from './registry-api.harness';

type Written = { id: string; revision: number; events: { id: string; type: string }[] };

describe("registry API: a case's holder (assign, reassign)", () => {
  let api: RegistryApiHarness;
  let caseId: string;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    const childId = (await api.post<Written>('/children', registration())).body.id;
    const opened = await api.post<Written>(
      '/cases',
      { childId, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date(Date.now() - 3600_000).toISOString() },
      'provinceCaseWorker',
    );
    expect(opened.status).toBe(201);
    caseId = opened.body.id;
  });
  afterAll(() => api.stop());

  it('takes the case (no assigneeId: the sender), then reassigns it: CaseAssigned events say who assigned whom and the previous holder', async () => {
    const taken = await api.post<Written>(`/cases/${caseId}/assignment`, {}, 'provinceCaseWorker', { 'if-match': '"0"' });
    expect({ status: taken.status, type: taken.body.events?.[0]?.type }).toEqual({ status: 200, type: 'CaseAssigned' });
    expect(taken.headers.get('etag')).toBe('"1"');

    // The same user again: nothing to change, named on the field.
    const again = await api.post<Written>(`/cases/${caseId}/assignment`, {}, 'provinceCaseWorker');
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(again.body)).toContain('assigneeId');

    const reassigned = await api.post<Written>(`/cases/${caseId}/assignment`, { assigneeId: 'dev-other-case-worker' }, 'admin', { 'if-match': '"1"' });
    expect(reassigned.status).toBe(200);

    const events = (await api.events(`case-${caseId}`)).filter((e) => e.event_type === 'CaseAssigned');
    expect(events.map((e) => e.data)).toEqual([
      { caseId, assigneeId: 'dev-province-case-worker', assignedBy: 'dev-province-case-worker', assignedAt: expect.any(String) },
      {
        caseId,
        assigneeId: 'dev-other-case-worker',
        previousAssigneeId: 'dev-province-case-worker',
        assignedBy: expect.any(String),
        assignedAt: expect.any(String),
      },
    ]);
    const state = await api.get(`/cases/${caseId}`, 'provinceCaseWorker');
    expect(state.body).toMatchObject({ assigneeId: 'dev-other-case-worker', status: 'report_received' });
  });

  it('refuses an assignment made on a case that changed since the sender saw it (If-Match on an old revision): a conflict, and no event', async () => {
    const before = (await api.events(`case-${caseId}`)).length;
    const stale = await api.post<Written>(`/cases/${caseId}/assignment`, {}, 'provinceCaseWorker', { 'if-match': '"0"' });
    expect(stale.status).toBe(409);
    expect((await api.events(`case-${caseId}`)).length).toBe(before);
  });

  it('a data officer may not assign cases (403), and an unknown case is a 404', async () => {
    expect((await api.post(`/cases/${caseId}/assignment`, {}, 'communeOfficer')).status).toBe(403);
    expect((await api.post(`/cases/00000000-0000-4000-8000-000000000000/assignment`, {}, 'provinceCaseWorker')).status).toBe(404);
  });
});
