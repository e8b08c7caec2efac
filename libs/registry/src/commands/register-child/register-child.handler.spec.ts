import { loadAdministrativeUnits } from '@childledger/admin-units';
import { DEV_USERS } from '@childledger/platform';
import type { AuthenticatedUser } from '@childledger/platform';
import { RegistryError } from '@childledger/domain';
import { IdempotencyStore } from '../../idempotency/idempotency.store';
import { AccessDeniedError, AccessPolicy } from '../../shared/access-policy';
import { DomainContextFactory } from '../../shared/domain-context';
import type { RequestContext } from '../../shared/registry-command';
import { RegistryHandlerDeps } from '../../shared/registry-handler.deps';
import { InMemoryEventStore } from '../../testing/in-memory-event-store';
import { RegisterChildCommand } from './register-child.command';
import { RegisterChildHandler } from './register-child.handler';

describe(RegisterChildHandler.name, () => {
  const units = loadAdministrativeUnits();
  const context = new DomainContextFactory(units, undefined, () => new Date('2026-03-01T03:00:00Z'));
  let store: InMemoryEventStore;
  let handler: RegisterChildHandler;

  beforeEach(() => {
    store = new InMemoryEventStore();
    handler = new RegisterChildHandler(new RegistryHandlerDeps(store, new AccessPolicy(units), new IdempotencyStore(undefined as never, store)));
  });

  const request = (user: AuthenticatedUser): RequestContext => ({ user, correlationId: 'corr-1' });
  const command = (user: AuthenticatedUser, communeCode = '00004', childId = 'c-1') =>
    new RegisterChildCommand(
      childId,
      { childId, fullName: 'Nguyễn Thị Thu Hà', dateOfBirth: '2016-03-14', sex: 'F', residence: { communeCode, effectiveFrom: '2025-09-01' } },
      request(user),
      context.create(),
    );

  it('appends ChildRegistered with the actor, the unit acted for and the correlation id', async () => {
    const result = await handler.execute(command(DEV_USERS.communeOfficer as AuthenticatedUser));
    expect(result).toMatchObject({ id: 'c-1', streamId: 'child-c-1', revision: 0, events: [{ type: 'ChildRegistered' }] });
    const [event] = await store.readStream('child-c-1');
    expect(event!.id).toBe(result.eventIds[0]);
    expect(event!.metadata).toEqual({ correlationId: 'corr-1', source: 'api', actor: { userId: 'dev-commune-officer', role: 'data_officer', unit: '00004' } });
  });

  it('records the province as the unit of province staff, and none for an admin', async () => {
    const provinceOfficer: AuthenticatedUser = { userId: 'p', name: 'p', role: 'data_officer', provinces: ['01'], communes: [] };
    await handler.execute(command(provinceOfficer, '00008', 'c-2'));
    expect((await store.readStream('child-c-2'))[0]!.metadata['actor']).toEqual({ userId: 'p', role: 'data_officer', unit: '01' });
    await handler.execute(command(DEV_USERS.admin as AuthenticatedUser, '25747', 'c-3'));
    expect((await store.readStream('child-c-3'))[0]!.metadata['actor']).toEqual({ userId: 'dev-admin', role: 'admin' });
  });

  it('refuses a role that may not register, and a commune outside the jurisdiction, writing nothing', async () => {
    await expect(handler.execute(command(DEV_USERS.provinceInspector as AuthenticatedUser))).rejects.toMatchObject({ reason: 'role' });
    await expect(handler.execute(command(DEV_USERS.communeOfficer as AuthenticatedUser, '00008'))).rejects.toBeInstanceOf(AccessDeniedError);
    expect(store.streams.size).toBe(0);
  });

  it('lets the domain judge the data before the jurisdiction (an unknown commune is UNKNOWN_COMMUNE, not 403)', async () => {
    await expect(handler.execute(command(DEV_USERS.communeOfficer as AuthenticatedUser, '99999'))).rejects.toMatchObject({ code: 'UNKNOWN_COMMUNE' });
    await expect(handler.execute(command(DEV_USERS.communeOfficer as AuthenticatedUser, '99999'))).rejects.toBeInstanceOf(RegistryError);
  });

  it('refuses a second registration in the same stream', async () => {
    await handler.execute(command(DEV_USERS.communeOfficer as AuthenticatedUser));
    await expect(handler.execute(command(DEV_USERS.communeOfficer as AuthenticatedUser))).rejects.toMatchObject({ code: 'CHILD_ALREADY_REGISTERED' });
  });
});
