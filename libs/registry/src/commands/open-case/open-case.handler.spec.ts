import { loadAdministrativeUnits } from '@childledger/admin-units';
import { DEV_USERS } from '@childledger/platform';
import type { AuthenticatedUser } from '@childledger/platform';
import { IdempotencyStore } from '../../idempotency/idempotency.store';
import { AccessPolicy } from '../../shared/access-policy';
import { DomainContextFactory } from '../../shared/domain-context';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { InMemoryEventStore } from '../../testing/in-memory-event-store';
import { AssessCaseCommand } from '../assess-case/assess-case.command';
import { AssessCaseHandler } from '../assess-case/assess-case.handler';
import { RegisterChildCommand } from '../register-child/register-child.command';
import { RegisterChildHandler } from '../register-child/register-child.handler';
import { OpenCaseCommand } from './open-case.command';
import { OpenCaseHandler } from './open-case.handler';

describe(OpenCaseHandler.name, () => {
  const units = loadAdministrativeUnits();
  const context = new DomainContextFactory(units, undefined, () => new Date('2026-03-01T03:00:00Z'));
  const caseWorker = DEV_USERS.provinceCaseWorker as AuthenticatedUser;
  let store: InMemoryEventStore;
  let deps: RegistryHandlerDeps;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    deps = new RegistryHandlerDeps(store, new AccessPolicy(units), new IdempotencyStore(undefined as never, store));
    for (const [childId, communeCode] of [
      ['hn', '00004'],
      ['hcm', '25747'],
    ] as const) {
      await new RegisterChildHandler(deps).execute(
        new RegisterChildCommand(
          childId,
          { childId, fullName: 'Lê Văn An', dateOfBirth: '2015-01-02', sex: 'M', residence: { communeCode, effectiveFrom: '2025-09-01' } },
          { user: DEV_USERS.admin as AuthenticatedUser, correlationId: 'setup' },
          context.create(),
        ),
      );
    }
  });

  const open = (childId: string, caseId = 'k-1', user = caseWorker) =>
    new OpenCaseHandler(deps).execute(
      new OpenCaseCommand(
        caseId,
        { caseId, childId, channel: 'hotline_111', concern: 'sexual_abuse', protectionLevel: 'intervention', reportedAt: '2026-03-01T01:00:00Z' },
        { user, correlationId: 'c' },
        context.create(),
      ),
    );

  it("opens a case for a child of the case worker's province, the deadline counted from the report", async () => {
    await open('hn');
    const [opened] = await store.readStream('case-k-1');
    expect(opened!.data).toMatchObject({ childId: 'hn', assessmentDueAt: '2026-03-01T13:00:00.000Z' });
    expect(opened!.metadata['actor']).toEqual({ userId: 'dev-province-case-worker', role: 'case_worker', unit: '01' });
  });

  it('refuses an unregistered child (CHILD_NOT_FOUND) and answers a child of another province exactly the same way', async () => {
    type Refusal = { code: string; field: string; message: string };
    const missing = (await open('nobody').then(
      () => ({ code: 'accepted', field: '', message: '' }),
      (e: unknown) => e as Refusal,
    )) as Refusal;
    expect(missing).toMatchObject({ code: 'CHILD_NOT_FOUND', field: 'childId' });
    const outside = (await open('hcm').then(
      () => ({ code: 'accepted', field: '', message: '' }),
      (e: unknown) => e as Refusal,
    )) as Refusal;
    expect({ code: outside.code, field: outside.field, message: outside.message }).toEqual({
      code: missing.code,
      field: missing.field,
      message: missing.message,
    });
    expect(store.streams.has('case-k-1')).toBe(false);
  });

  it("checks later commands against the case's child, found through the case", async () => {
    await open('hn');
    const assess = (user: AuthenticatedUser) =>
      new AssessCaseHandler(deps).execute(new AssessCaseCommand('k-1', { riskLevel: 'high' }, { user, correlationId: 'c' }, context.create()));
    // Outside the jurisdiction the case answers as if it did not exist.
    await expect(assess({ ...caseWorker, provinces: ['79'] })).rejects.toMatchObject({
      code: 'CASE_NOT_FOUND',
      field: 'caseId',
      message: 'no case is open in this stream',
    });
    await expect(assess(caseWorker)).resolves.toMatchObject({ revision: 1 });
  });
});
