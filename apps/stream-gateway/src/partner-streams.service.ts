import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import type { KafkaConfig } from 'kafkajs';
import { Counter, Gauge, Registry } from 'prom-client';
import { LeaseKeeper } from '@childledger/database';
import type { EventStore, SubscriptionStatusBoard } from '@childledger/event-store';
import { EVENT_STORE, METRICS_REGISTRY, PG_POOL, SUBSCRIPTION_STATUS } from '@childledger/platform';
import {
  kafkaRelayName,
  KafkaPartnerSink,
  OutboxSignal,
  outboxRetention,
  PartnerRecord,
  PgPartnerDirectory,
  PgPartnerFeed,
  PgOutboxPruner,
  PgPartnerProjection,
  PgRelayCheckpoints,
  PruneResult,
  LeasedRelay,
  runLeasedRelay,
} from '@childledger/partner-outbox';
import {
  generateSecret,
  hashClientSecret,
  PartnerAgreement,
  PartnerProjector,
  PartnerRelay,
  Pseudonymiser,
  verifyClientSecret,
} from '@childledger/partner-streams';
import type { PartnerSecrets } from './partner-secrets';
import { PartnerTokens } from './partner-token.service';
import { TracedPartnerSink } from './traced-partner-sink';

export interface StreamGatewayOptions {
  /** Agreements of the version-controlled partners file. */
  filePartners: PartnerAgreement[];
  secrets: PartnerSecrets;
  tokens: PartnerTokens;
  provinceOf(communeCode: string): string | undefined;
  kafkaBrokers?: string[];
  /** kafkajs TLS and SASL options (kafkaSecurityOptions). */
  kafkaClient?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  rateLimitPerMinute: number;
  /** SSE keep-alive comment interval. */
  heartbeatMs?: number;
  /** Interval between two prunings of the outbox (PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS); 0: no periodic pruning (tests call pruneOutbox). */
  pruneIntervalMs: number;
  /** Outbox rows deleted per pruning transaction. */
  pruneBatchSize?: number;
  /** Concurrent SSE streams per partner on this process (PARTNER_SSE_MAX_STREAMS_PER_PARTNER; default 3); beyond: 429 TOO_MANY_STREAMS. */
  maxStreamsPerPartner?: number;
  /** Concurrent SSE streams on this process, all partners (PARTNER_SSE_MAX_STREAMS; default 200); beyond: 429 GATEWAY_STREAMS_FULL. */
  maxStreams?: number;
  /** How long an SSE client may leave its socket undrained before it is disconnected (PARTNER_SSE_WRITE_TIMEOUT_SECONDS; default 60 s). */
  writeTimeoutMs?: number;
}

export const STREAM_GATEWAY_OPTIONS = Symbol('StreamGatewayOptions');

export class PartnerConflictError extends Error {}
export class MissingKeySecretError extends Error {}

/**
 * The gateway's partners at run time: syncs the partners file into the partners table, runs one
 * projection (event store → outbox) per partner and, with KAFKA_BROKERS, one Kafka relay per
 * partner that has the kafka channel; authenticates client credentials.
 */
@Injectable()
export class PartnerStreamsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('PartnerStreams');
  readonly signal = new OutboxSignal();
  readonly feed: PgPartnerFeed;
  readonly directory: PgPartnerDirectory;
  private readonly projections = new Map<string, PgPartnerProjection>();
  private readonly relays = new Map<string, LeasedRelay>();
  /** One active Kafka relay per partner across gateway replicas. */
  private readonly leases: LeaseKeeper;
  private readonly partners = new Map<string, PartnerRecord>();
  private sink: KafkaPartnerSink | null = null;
  private readonly pruner: PgOutboxPruner;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<PruneResult[]> | null = null;
  private readonly prunedRows: Counter<'partner'>;
  private readonly prunedThrough: Gauge<'partner'>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(STREAM_GATEWAY_OPTIONS) readonly options: StreamGatewayOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(SUBSCRIPTION_STATUS) private readonly status: SubscriptionStatusBoard,
  ) {
    this.feed = new PgPartnerFeed(pool, this.signal);
    this.directory = new PgPartnerDirectory(pool);
    if (options.kafkaBrokers?.length) this.sink = new KafkaPartnerSink({ brokers: options.kafkaBrokers, kafka: options.kafkaClient });
    this.pruner = new PgOutboxPruner(pool, { batchSize: options.pruneBatchSize });
    this.leases = new LeaseKeeper(pool, { log: { info: (obj, msg) => this.log.log(obj, msg), warn: (obj, msg) => this.log.warn(obj, msg) } });
    this.prunedRows =
      (registry.getSingleMetric('childledger_partner_outbox_pruned_rows_total') as Counter<'partner'> | undefined) ??
      new Counter({
        name: 'childledger_partner_outbox_pruned_rows_total',
        help: "Rows deleted from a partner's outbox by retention",
        labelNames: ['partner'],
        registers: [registry],
      });
    this.prunedThrough =
      (registry.getSingleMetric('childledger_partner_outbox_pruned_through') as Gauge<'partner'> | undefined) ??
      new Gauge({
        name: 'childledger_partner_outbox_pruned_through',
        help: 'Last outbox sequence pruned for a partner (its feed starts after it; a cursor before it is a 410)',
        labelNames: ['partner'],
        registers: [registry],
      });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const agreement of this.options.filePartners) {
      const existing = await this.directory.get(agreement.id);
      const clientSecret = this.options.secrets[agreement.id]?.clientSecret;
      const stale = clientSecret !== undefined && !(existing?.clientSecretHash && (await verifyClientSecret(clientSecret, existing.clientSecretHash)));
      await this.directory.put(agreement, 'file', stale ? await hashClientSecret(clientSecret) : undefined);
    }
    for (const record of await this.directory.list()) await this.startPartner(record);
    if (this.options.pruneIntervalMs > 0) this.schedulePrune();
  }

  /**
   * Deletes, for every partner, the outbox rows older than its agreement's retention (never a row
   * its Kafka relay has not delivered). One run at a time in this process; replicas running it
   * together skip the partners another is pruning. Logs counts only.
   */
  pruneOutbox(now?: Date): Promise<PruneResult[]> {
    this.pruning ??= this.runPrune(now).finally(() => (this.pruning = null));
    return this.pruning;
  }

  private async runPrune(now?: Date): Promise<PruneResult[]> {
    const results: PruneResult[] = [];
    for (const { agreement } of this.list()) {
      const r = await this.pruner.prunePartner(outboxRetention(agreement), now);
      results.push(r);
      if (r.skipped) continue;
      this.prunedRows.inc({ partner: r.partnerId }, r.deleted);
      this.prunedThrough.set({ partner: r.partnerId }, Number(r.prunedThrough));
      if (r.deleted > 0)
        this.log.log({ partner: r.partnerId, deleted: r.deleted, batches: r.batches, prunedThrough: r.prunedThrough.toString() }, 'partner outbox pruned');
      if (r.heldByRelay) {
        this.log.warn(
          { partner: r.partnerId, relay: kafkaRelayName(r.partnerId), relayRunsHere: this.leases.holding().includes(kafkaRelayName(r.partnerId)) },
          'expired partner outbox rows kept: the Kafka relay has not delivered them yet',
        );
      }
    }
    return results;
  }

  private schedulePrune(): void {
    this.pruneTimer = setTimeout(() => {
      this.pruneOutbox()
        .catch((err: unknown) =>
          this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'partner outbox pruning failed; retrying at the next interval'),
        )
        .finally(() => {
          if (this.pruneTimer !== undefined) this.schedulePrune();
        });
    }, this.options.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.pruning?.catch(() => undefined);
    await Promise.all([...this.relays.values()].map((r) => r.stop()));
    await Promise.all([...this.projections.values()].map((p) => p.stop()));
    await this.leases.close();
    await this.sink?.close();
  }

  partner(partnerId: string): PartnerRecord | undefined {
    return this.partners.get(partnerId);
  }

  list(): PartnerRecord[] {
    return [...this.partners.values()].sort((a, b) => a.agreement.id.localeCompare(b.agreement.id));
  }

  /** Resolves once every partner's projection has caught up with the log (tests, benchmarks). */
  async caughtUp(): Promise<void> {
    await Promise.all([...this.projections.values()].map(async (p) => (await p.start()).caughtUp()));
  }

  async authenticate(clientId: string, clientSecret: string): Promise<boolean> {
    const record = await this.directory.get(clientId);
    if (!record?.clientSecretHash) return false;
    return verifyClientSecret(clientSecret, record.clientSecretHash);
  }

  /** Admin API: creates or replaces an API-managed partner's agreement; the new rules apply from the projection's position on. */
  async putAgreement(agreement: PartnerAgreement): Promise<{ created: boolean; clientSecret?: string }> {
    const existing = await this.directory.get(agreement.id);
    if (existing?.managedBy === 'file') throw new PartnerConflictError(`partner ${agreement.id} is declared in the partners file: change it there`);
    if (!this.options.secrets[agreement.id]?.keySecret) {
      throw new MissingKeySecretError(
        `partner ${agreement.id} has no pseudonymisation key: set PARTNER_${agreement.id.toUpperCase().replace(/-/g, '_')}_KEY_SECRET or add it to PARTNER_SECRETS_FILE`,
      );
    }
    let clientSecret: string | undefined;
    if (!existing) clientSecret = generateSecret();
    await this.directory.put(agreement, 'api', clientSecret ? await hashClientSecret(clientSecret) : undefined);
    await this.stopPartner(agreement.id);
    await this.startPartner((await this.directory.get(agreement.id))!);
    return { created: !existing, clientSecret };
  }

  async rotateClientSecret(partnerId: string): Promise<string | null> {
    const secret = generateSecret();
    return (await this.directory.setClientSecretHash(partnerId, await hashClientSecret(secret))) ? secret : null;
  }

  private async startPartner(record: PartnerRecord): Promise<void> {
    const { agreement } = record;
    this.partners.set(agreement.id, record);
    const keySecret = this.options.secrets[agreement.id]?.keySecret;
    if (!keySecret) {
      this.log.error({ partner: agreement.id }, 'no pseudonymisation key for this partner: its stream is not produced');
      return;
    }
    const projector = new PartnerProjector(agreement, new Pseudonymiser(keySecret), this.options.provinceOf);
    const projection = new PgPartnerProjection(this.pool, this.store, projector, {
      signal: this.signal,
      onError: (err) => this.log.error({ partner: agreement.id, err: err instanceof Error ? err.message : String(err) }, 'partner projection error'),
      status: this.status,
      log: { warn: (obj, msg) => this.log.warn(obj, msg), error: (obj, msg) => this.log.error(obj, msg) },
    });
    this.projections.set(agreement.id, projection);
    await projection.start();
    if (this.sink && agreement.channels.includes('kafka')) {
      const sink = new TracedPartnerSink(this.sink, 'kafka');
      const name = kafkaRelayName(agreement.id);
      const relay = runLeasedRelay(
        this.leases,
        name,
        () =>
          new PartnerRelay(this.feed, sink, new PgRelayCheckpoints(this.pool), {
            partnerId: agreement.id,
            name,
            onError: (err, attempt) =>
              this.log.warn({ partner: agreement.id, attempt, err: err instanceof Error ? err.message : String(err) }, 'kafka relay send failed; retrying'),
          }),
        { onStandby: () => this.status.report(name, 'standby'), onActive: () => this.status.report(name, 'running') },
      );
      this.relays.set(agreement.id, relay);
    }
  }

  private async stopPartner(partnerId: string): Promise<void> {
    await this.relays.get(partnerId)?.stop();
    await this.projections.get(partnerId)?.stop();
    this.relays.delete(partnerId);
    this.projections.delete(partnerId);
  }
}
