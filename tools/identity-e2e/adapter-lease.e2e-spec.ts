import type { INestApplication } from '@nestjs/common';
import type { SubscriptionStatusBoard } from '@childledger/event-store';
import { IDENTITY_SUBSCRIPTION_NAME } from '@childledger/identity';
import { SUBSCRIPTION_STATUS } from '@childledger/platform';
import { IdentityHarness } from './identity.harness';

/** Two identity adapters on one database (two replicas): one decides, the other stands by and takes over when the first goes. */
describe('identity adapter replicas under a lease', () => {
  let h: IdentityHarness;
  let first: INestApplication;
  let second: INestApplication;

  beforeAll(async () => {
    h = await IdentityHarness.start();
    await h.startAdapter();
    first = h.adapter;
    await h.startAdapter();
    second = h.adapter;
  });
  afterAll(async () => {
    await first.close().catch(() => undefined);
    await h.stop();
  });

  const stateOf = (app: INestApplication) => app.get<SubscriptionStatusBoard>(SUBSCRIPTION_STATUS).get(IDENTITY_SUBSCRIPTION_NAME)?.state;

  it('decides each child once while both run; the standby decides after the active one stops', async () => {
    expect(stateOf(first)).toBe('running');
    expect(stateOf(second)).toBe('standby');
    const children = h.children();
    const before = [];
    for (const r of children.slice(0, 5)) before.push(await h.registerResident(r, { parents: true }));
    for (const id of before) await h.decisionOf(id);
    // Give the standby every chance to decide a second time.
    await new Promise((r) => setTimeout(r, 500));
    for (const id of before) expect((await h.decisionsOf(id)).length).toBe(1);
    expect(stateOf(second)).toBe('standby');

    await first.close();
    const after = [];
    for (const r of children.slice(5, 8)) after.push(await h.registerResident(r, { parents: true }));
    for (const id of after) await h.decisionOf(id, 30_000);
    expect(stateOf(second)).toBe('running');
    for (const id of [...before, ...after]) expect((await h.decisionsOf(id)).length).toBe(1);
  });
});
