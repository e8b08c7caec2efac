import { childStreamId } from '@childledger/domain';
import type { EventStore } from '@childledger/event-store';
import { adminUnitLookup, AttemptEvent, deterministicUuid, HttpNationalPopulationRegistry, IdentityResolver, ReviewQueueStore } from '@childledger/identity';
import { FellegiSunterModel, MatchEngine } from '@childledger/matching';
import { CLIENT, IdentityHarness } from './identity.harness';

describe('identity adapter against the sandbox over HTTP', () => {
  let h: IdentityHarness;
  let attempts: (AttemptEvent & { at: number })[];

  beforeAll(async () => {
    h = await IdentityHarness.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function adapter(registry: Parameters<IdentityHarness['startAdapter']>[0] = {}): Promise<HttpNationalPopulationRegistry> {
    const service = await h.startAdapter(registry);
    const http = service.registry as HttpNationalPopulationRegistry;
    attempts = [];
    http.onAttempt((e) => attempts.push({ ...e, at: Date.now() }));
    return http;
  }

  describe('decisions', () => {
    beforeAll(() => adapter());
    afterAll(() => h.stopAdapter());

    it('links a child whose details match one resident, with score, method and explanation, and audits each call', async () => {
      const r = h.children()[0]!;
      const childId = await h.registerResident(r, { parents: true });
      const decision = await h.decisionOf(childId);
      expect(decision.type).toBe('NationalIdLinked');
      expect(decision.data).toMatchObject({ childId, source: 'identity_adapter', personal: { personalId: r.personal_id } });
      expect(decision.data['matchScore']).toBeGreaterThan(0.99);
      expect(decision.metadata).toMatchObject({ actor: { userId: 'identity-adapter', role: 'system' }, correlationId: `corr-${childId}` });
      expect(decision.metadata['match']).toMatchObject({ method: 'search' });
      expect(String((decision.metadata['match'] as { explanation: string }).explanation)).toMatch(/Name/i);

      const audit = await h.auditOf(childId);
      expect(audit.length).toBeGreaterThanOrEqual(2);
      for (const e of audit) {
        expect(e.type).toBe('NationalRegistryQueried');
        expect(e.data).toMatchObject({ childId, operation: 'search', decision: 'linked', outcome: 'candidates' });
        expect(e.metadata).toMatchObject({ correlationId: `corr-${childId}`, causationId: expect.any(String) });
        // The audit trail says what was asked and decided, never who was found.
        const text = JSON.stringify(e);
        expect(text).not.toContain(r.personal_id);
        expect(text).not.toContain(r.full_name);
      }
    });

    it('verifies a stated personal ID instead of searching', async () => {
      const r = h.children()[1]!;
      const childId = await h.registerResident(r, { personalId: true });
      const decision = await h.decisionOf(childId);
      expect(decision.type).toBe('NationalIdLinked');
      expect(decision.data).toMatchObject({ matchScore: 1, personal: { personalId: r.personal_id } });
      expect(decision.metadata['match']).toMatchObject({ method: 'verification' });
      const audit = await h.auditOf(childId);
      expect(audit.map((e) => e.data['operation'])).toEqual(['verify']);
      expect(audit[0]!.data['fieldsSent']).toEqual(['personalId', 'fullName', 'dateOfBirth', 'sex']);
    });

    it('records no national record for a child nobody in the database resembles', async () => {
      const childId = await h.register({
        fullName: 'Khổng Minh Triết',
        dateOfBirth: '2019-02-03',
        sex: 'M',
        communeCode: h.children()[0]!.residence_commune_code,
      });
      const decision = await h.decisionOf(childId);
      expect(decision.type).toBe('NoNationalRecordFound');
    });

    it('sends a child with two equally good candidates to review, with ranked candidates in the queue', async () => {
      const r = h.children()[2]!;
      // A namesake born the same day in the same commune: no engine can tell them apart.
      await h.sandboxStore.seed([
        {
          personalId: `${r.personal_id.slice(0, 6)}999999`,
          fullName: r.full_name,
          sex: r.sex,
          dateOfBirth: r.date_of_birth,
          residenceCommuneCode: r.residence_commune_code,
        },
      ]);
      const childId = await h.registerResident(r);
      const decision = await h.decisionOf(childId);
      expect(decision.type).toBe('IdentityReviewRequested');
      expect(decision.data['candidateCount']).toBeGreaterThanOrEqual(2);
      const row = await h.owner.query('SELECT status, candidates, requested_event_id FROM identity_review_queue WHERE child_id = $1', [childId]);
      expect(row.rows[0].status).toBe('open');
      expect(row.rows[0].requested_event_id).toBe(decision.id);
      const ids = (row.rows[0].candidates as { personalId: string }[]).map((c) => c.personalId);
      expect(ids).toEqual(expect.arrayContaining([r.personal_id, `${r.personal_id.slice(0, 6)}999999`]));
    });

    it('skips an event whose personal data was erased (sealed object reads as null)', async () => {
      const childId = 'erased-child-1';
      await h.store.append(childStreamId(childId), [
        {
          id: deterministicUuid('erased-child-1'),
          type: 'ChildRegistered',
          data: {
            childId,
            sex: 'F',
            residence: { communeCode: h.children()[0]!.residence_commune_code, effectiveFrom: '2025-08-01' },
            registeredAt: new Date().toISOString(),
            personal: null,
          },
          metadata: { personalDataErased: true },
        },
      ]);
      const marker = await h.register({
        fullName: 'Khổng Minh Trí',
        dateOfBirth: '2018-02-03',
        sex: 'M',
        communeCode: h.children()[0]!.residence_commune_code,
      });
      await h.decisionOf(marker); // processed after the erased one, in order
      expect(await h.decisionsOf(childId)).toEqual([]);
      expect(await h.auditOf(childId)).toEqual([]);
      expect(h.service.outcomes.find((o) => o.outcome.kind === 'skipped' && 'why' in o.outcome && o.outcome.why === 'personal data erased')).toBeDefined();
    });
  });

  describe('failures of the national database', () => {
    afterEach(async () => {
      h.faults.configure({ errorRate: 0, timeoutRate: 0, rateLimitPerSecond: 0 });
      await h.stopAdapter();
    });

    it('waits as long as a 429 Retry-After asks, then succeeds', async () => {
      await adapter({ maxRetryAfterMs: 5000 });
      h.faults.enqueue({ rateLimited: 1 });
      const childId = await h.registerResident(h.children()[3]!);
      expect((await h.decisionOf(childId)).type).toBe('NationalIdLinked');
      const limited = attempts.filter((a) => a.status === 429);
      expect(limited).toHaveLength(1);
      // The other (parallel) calls ended at once; exactly one attempt, the retry of the limited call,
      // started only after the Retry-After second: no back-off shortcut.
      const late = attempts.filter((a) => a.at - a.durationMs >= limited[0]!.at + 950);
      expect(late).toHaveLength(1);
      expect(late[0]!.status).toBe(200);
    });

    it('retries 503s with back-off and links without a duplicate', async () => {
      await adapter();
      h.faults.enqueue('error', 'error');
      const childId = await h.registerResident(h.children()[4]!);
      expect((await h.decisionOf(childId)).type).toBe('NationalIdLinked');
      expect(attempts.filter((a) => a.status === 503)).toHaveLength(2);
      expect(await h.decisionsOf(childId)).toHaveLength(1);
    });

    it('gives up on an attempt that hangs past the timeout and retries it', async () => {
      await adapter({ timeoutMs: 300 });
      h.faults.enqueue('hang');
      const started = Date.now();
      const childId = await h.registerResident(h.children()[5]!);
      expect((await h.decisionOf(childId)).type).toBe('NationalIdLinked');
      expect(attempts.filter((a) => a.status === 'timeout')).toHaveLength(1);
      // Decided long before the sandbox's 2 s hang would have ended.
      expect(Date.now() - started).toBeLessThan(1900);
    });

    it('opens the circuit when the service keeps failing, holds the child, and closes again when it recovers', async () => {
      const http = await adapter({ breakerThreshold: 3, halfOpenAfterMs: 400, maxAttempts: 2 });
      const states: string[] = [];
      http.breaker.onStateChange(() => states.push(http.circuitState));
      h.faults.configure({ errorRate: 1 });
      const childId = await h.registerResident(h.children()[6]!);
      const deadline = Date.now() + 5000;
      while (http.circuitState !== 'open' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(http.circuitState).toBe('open');
      expect(await h.decisionsOf(childId)).toEqual([]);
      // While open, calls fail fast without reaching the sandbox.
      const before = h.faults.counts.error;
      await new Promise((r) => setTimeout(r, 150));
      expect(h.faults.counts.error - before).toBeLessThanOrEqual(3);
      h.faults.configure({ errorRate: 0 });
      expect((await h.decisionOf(childId)).type).toBe('NationalIdLinked');
      expect(http.circuitState).toBe('closed');
      expect(states).toEqual(expect.arrayContaining(['open', 'half_open', 'closed']));
      const outcomes = (await h.auditOf(childId)).map((e) => `${e.data['outcome']}/${e.data['decision']}`);
      expect(outcomes).toEqual(expect.arrayContaining(['circuit_open/deferred', 'candidates/linked']));
      expect(h.service.transientFailures).toBeGreaterThan(0);
    });
  });

  describe('restarts', () => {
    it('resumes from its checkpoint after a restart, deciding children registered while it was down', async () => {
      await adapter();
      const first = await h.registerResident(h.children()[7]!);
      await h.decisionOf(first);
      await h.stopAdapter();
      const whileDown = [await h.registerResident(h.children()[8]!), await h.registerResident(h.children()[9]!)];
      await new Promise((r) => setTimeout(r, 200));
      for (const id of whileDown) expect(await h.decisionsOf(id)).toEqual([]);
      const service = await h.startAdapter();
      for (const id of whileDown) expect((await h.decisionOf(id)).type).toBe('NationalIdLinked');
      // Nothing before the checkpoint was handled again.
      expect(service.outcomes.some((o) => 'childId' in o.outcome && o.outcome.childId === first)).toBe(false);
      await h.stopAdapter();
    });

    it('handling the same events twice appends nothing twice (checkpoint lost)', async () => {
      await adapter();
      const childId = await h.registerResident(h.children()[10]!);
      await h.decisionOf(childId);
      await h.stopAdapter();
      const streamBefore = await h.store.readStream(childStreamId(childId));
      await h.owner.query('DELETE FROM subscription_checkpoints');
      const service = await h.startAdapter();
      await service.subscription.caughtUp();
      const deadline = Date.now() + 10_000;
      while (!service.outcomes.some((o) => 'childId' in o.outcome && o.outcome.childId === childId) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      expect(service.outcomes.find((o) => 'childId' in o.outcome && o.outcome.childId === childId)!.outcome.kind).toBe('already_processed');
      expect(await h.store.readStream(childStreamId(childId))).toHaveLength(streamBefore.length);
      await h.stopAdapter();
    });

    it('two handlers racing on the same event append one decision', async () => {
      const childId = await h.registerResident(h.children()[11]!);
      const event = (await h.store.readStream(childStreamId(childId)))[0]!;
      // Two replicas (or a redelivery) handle the same event at once; the adapter app is stopped.
      const registry = new HttpNationalPopulationRegistry({
        baseUrl: h.sandboxUrl,
        clientId: CLIENT.SANDBOX_CLIENT_ID,
        clientSecret: CLIENT.SANDBOX_CLIENT_SECRET,
      });
      const resolver = new IdentityResolver({
        store: h.store,
        registry,
        engine: new MatchEngine(FellegiSunterModel.withPriors(), adminUnitLookup(h.units)),
        units: h.units,
        reviewQueue: new ReviewQueueStore(h.pool),
      });
      const outcomes = await Promise.all([resolver.process(event), resolver.process(event)]);
      await registry.close();
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['already_processed', 'linked']);
      expect(await h.decisionsOf(childId)).toHaveLength(1);
    });

    it('a crash between the audit of the calls and the decision leaves the calls audited, and the redelivered trigger decides', async () => {
      const childId = await h.registerResident(h.children()[12]!);
      const event = (await h.store.readStream(childStreamId(childId)))[0]!;
      const registry = new HttpNationalPopulationRegistry({
        baseUrl: h.sandboxUrl,
        clientId: CLIENT.SANDBOX_CLIENT_ID,
        clientSecret: CLIENT.SANDBOX_CLIENT_SECRET,
      });
      const deps = {
        registry,
        engine: new MatchEngine(FellegiSunterModel.withPriors(), adminUnitLookup(h.units)),
        units: h.units,
        reviewQueue: new ReviewQueueStore(h.pool),
      };
      // The process dies as it appends the decision (the audit append went through).
      const crashing: EventStore = {
        append: (streamId, events, options) =>
          streamId.startsWith('child-') ? Promise.reject(new Error('simulated crash')) : h.store.append(streamId, events, options),
        readStream: (streamId, options) => h.store.readStream(streamId, options),
        readAll: (options) => h.store.readAll(options),
        subscribe: (options) => h.store.subscribe(options),
        close: async () => undefined,
      };
      await expect(new IdentityResolver({ store: crashing, ...deps }).process(event)).rejects.toThrow('simulated crash');
      const first = await h.auditOf(childId);
      expect(first.length).toBeGreaterThanOrEqual(1);
      expect(first.every((a) => (a.data['trigger'] as { eventId: string }).eventId === event.id)).toBe(true);
      expect(await h.decisionsOf(childId)).toEqual([]);
      // Redelivered: decided and appended; both rounds of calls are in the audit, the first ones before the decision.
      const outcome = await new IdentityResolver({ store: h.store, ...deps }).process(event);
      await registry.close();
      expect(outcome.kind).toBe('linked');
      const decisions = await h.decisionsOf(childId);
      expect(decisions).toHaveLength(1);
      const audit = await h.auditOf(childId);
      expect(audit.length).toBe(2 * first.length);
      expect(audit.every((a) => a.data['decision'] === 'linked')).toBe(true);
      const pos = (e: { position: string }) => BigInt(e.position.split(':')[1]!);
      expect(audit.every((a) => pos(a) < pos(decisions[0]!))).toBe(true);
    });
  });
});
