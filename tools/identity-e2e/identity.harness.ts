import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { childDecider, childStreamId, RegisterChild, vietnamDate } from '@childledger/domain';
import { EventStore, handleCommand, RecordedEvent } from '@childledger/event-store';
import { HttpNationalRegistryOptions, SandboxFaults, SandboxResidentsStore } from '@childledger/identity';
import { PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { generateScenario, ResidentRow } from '@childledger/testing';
import { EncryptingPostgresEventStore, PgDataKeyring, resolveKeyEncryptionKey } from '@childledger/trust';
import { createPopulationRegistrySandbox } from '../../apps/population-registry-sandbox/src/sandbox.app';
import { SANDBOX_FAULTS, SANDBOX_STORE } from '../../apps/population-registry-sandbox/src/sandbox.tokens';
import { createIdentityAdapter } from '../../apps/identity-adapter/src/identity-adapter.app';
import { IdentityAdapterService, IdentityAdapterSettings } from '../../apps/identity-adapter/src/identity-adapter.service';

export const CLIENT = { SANDBOX_CLIENT_ID: 'adapter-test', SANDBOX_CLIENT_SECRET: 'a-test-secret-1234' };
export const NO_FAULTS = { latencyMs: 0, rateLimitPerSecond: 0, errorRate: 0, timeoutRate: 0, timeoutHangMs: 2000 };

import { toResident } from '../sandbox-residents';

export { toResident };

/**
 * The sandbox national database and the identity adapter, each a real Nest app on its own port,
 * over one fresh test database; the adapter talks to the sandbox over HTTP.
 */
export class IdentityHarness {
  adapter!: INestApplication;
  service!: IdentityAdapterService;
  sandboxUrl = '';
  readonly units = loadAdministrativeUnits();
  private seq = 0;

  private constructor(
    readonly db: TestDatabase,
    readonly auth: TestAuth,
    readonly sandbox: INestApplication,
    readonly faults: SandboxFaults,
    readonly sandboxStore: SandboxResidentsStore,
    readonly residents: ResidentRow[],
    readonly pool: Pool,
    readonly store: EventStore,
    readonly owner: Pool,
    /** The key-encryption key the store and the adapter share; undefined: the test process's own (under jest). */
    readonly kek?: string,
  ) {}

  static async start(options: { households?: number; faults?: Partial<typeof NO_FAULTS>; kek?: string } = {}): Promise<IdentityHarness> {
    const db = await createTestDatabase(ALL_MIGRATIONS);
    const auth = await createTestAuth();
    const residents = generateScenario({ seed: 23, households: options.households ?? 200, records: 0 }).residents;
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const, CHILDLEDGER_KEK: options.kek });
    const sandbox = await createPopulationRegistrySandbox(config, db.url, {
      auth: auth.auth,
      sandbox: CLIENT,
      faults: { ...NO_FAULTS, ...options.faults },
      residents: () => residents.map(toResident),
    });
    const port = await freePort();
    await sandbox.listen(port, '127.0.0.1');
    const pool = createPool(db.url, { max: 5 });
    const harness = new IdentityHarness(
      db,
      auth,
      sandbox,
      sandbox.get(SANDBOX_FAULTS),
      sandbox.get(SANDBOX_STORE),
      residents,
      pool,
      // The same encrypting store the services use (the test key-encryption key is shared in-process).
      new EncryptingPostgresEventStore({ pool, pollIntervalMs: 50 }, new PgDataKeyring(pool, { kek: resolveKeyEncryptionKey(options.kek) })),
      createPool(db.url, { role: null, max: 2 }),
      options.kek,
    );
    harness.sandboxUrl = `http://127.0.0.1:${port}/api/v1`;
    return harness;
  }

  /** Starts (or restarts) the adapter app; its subscription resumes from the stored checkpoint. */
  async startAdapter(registry: Partial<HttpNationalRegistryOptions> = {}, settings: Partial<IdentityAdapterSettings> = {}): Promise<IdentityAdapterService> {
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const, CHILDLEDGER_KEK: this.kek });
    this.adapter = await createIdentityAdapter(config, this.db.url, {
      auth: this.auth.auth,
      adapter: {
        NATIONAL_REGISTRY_URL: this.sandboxUrl,
        NATIONAL_REGISTRY_CLIENT_ID: CLIENT.SANDBOX_CLIENT_ID,
        NATIONAL_REGISTRY_CLIENT_SECRET: CLIENT.SANDBOX_CLIENT_SECRET,
      },
      registry: { initialBackoffMs: 20, maxBackoffMs: 200, random: () => 0.5, ...registry },
      settings: { retryDelayMs: 100, maxRetryDelayMs: 400, autoStart: true, ...settings },
    });
    await this.adapter.init();
    this.service = this.adapter.get(IdentityAdapterService);
    return this.service;
  }

  async stopAdapter(): Promise<void> {
    await this.adapter.close();
  }

  async stop(): Promise<void> {
    await this.adapter?.close().catch(() => undefined);
    await this.sandbox.close();
    await this.store.close();
    await this.pool.end();
    await this.owner.end();
    await this.db.drop();
  }

  /** Generated residents young enough to be registered as children today. */
  children(): ResidentRow[] {
    const today = vietnamDate(new Date());
    const limit = `${Number(today.slice(0, 4)) - 15}${today.slice(4)}`;
    return this.residents.filter((r) => r.date_of_birth > limit && r.date_of_birth <= today && this.units.isCommuneValidOn(r.residence_commune_code, today));
  }

  /** Registers a child through the domain's decider, as the registry API would. */
  async register(
    details: { fullName: string; dateOfBirth: string; sex: 'M' | 'F'; communeCode: string; personalId?: string; motherName?: string; fatherName?: string },
    childId = `c${Date.now().toString(36)}${(this.seq++).toString(36)}`,
  ): Promise<string> {
    const now = new Date();
    const command: RegisterChild = {
      type: 'RegisterChild',
      data: {
        childId,
        fullName: details.fullName,
        dateOfBirth: details.dateOfBirth,
        sex: details.sex,
        personalId: details.personalId,
        residence: { communeCode: details.communeCode, effectiveFrom: vietnamDate(now) },
        motherName: details.motherName,
        fatherName: details.fatherName,
      },
      context: { now, units: this.units },
    };
    await handleCommand(this.store, childStreamId(childId), command, childDecider, {
      metadata: { actor: { userId: 'test-officer', role: 'data_officer' }, correlationId: `corr-${childId}` },
    });
    return childId;
  }

  registerResident(r: ResidentRow, extra: { personalId?: boolean; parents?: boolean } = {}): Promise<string> {
    return this.register({
      fullName: r.full_name,
      dateOfBirth: r.date_of_birth,
      sex: r.sex,
      communeCode: r.residence_commune_code,
      personalId: extra.personalId ? r.personal_id : undefined,
      motherName: extra.parents ? r.mother_full_name || undefined : undefined,
      fatherName: extra.parents ? r.father_full_name || undefined : undefined,
    });
  }

  /** The adapter's decision events on a child's stream (waits up to `timeoutMs`). */
  async decisionOf(childId: string, timeoutMs = 10_000): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await this.store.readStream(childStreamId(childId));
      const decision = events.find((e) => e.metadata.actor?.userId === 'identity-adapter');
      if (decision) {
        // The adapter appends the decision, then the audit of the calls that led to it: wait (within
        // the same deadline) for that audit too, so that a test reading both does not race it.
        const audited = (await this.auditOf(childId)).some(
          (a) => (a.data['trigger'] as { eventId?: string } | undefined)?.eventId === decision.metadata.causationId,
        );
        if (audited || Date.now() > deadline) return decision;
      }
      if (Date.now() > deadline) throw new Error(`no identity decision for ${childId} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async decisionsOf(childId: string): Promise<RecordedEvent[]> {
    return (await this.store.readStream(childStreamId(childId))).filter((e) => e.metadata.actor?.userId === 'identity-adapter');
  }

  async auditOf(childId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(`identity-audit-${childId}`);
  }
}
