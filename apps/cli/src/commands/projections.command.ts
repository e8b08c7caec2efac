import { createServer, Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { Client } from 'pg';
import type { Registry } from 'prom-client';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE, loadConfig, METRICS_REGISTRY, PlatformConfig, PlatformModule, subscriptionGauges } from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';
import { checkpointName, positionOf, PROJECTIONS, projectionsNamed, rebuildProjections, UnitResolver } from '@childledger/read-models';
import { createPool } from '@childledger/database';

/** The platform's database: the embedded server `npm start` is running, if it is, else as services find it. */
async function platformDatabase(config: PlatformConfig): Promise<{ url: string; stop(): Promise<void> }> {
  if (!config.DATABASE_URL) {
    const running = `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/${config.DATABASE_NAME}`;
    const probe = new Client({ connectionString: running, connectionTimeoutMillis: 1000 });
    const up = await probe.connect().then(
      () => true,
      () => false,
    );
    await probe.end().catch(() => undefined);
    if (up) return { url: running, stop: async () => undefined };
  }
  const db = await preparePlatformDatabase(config);
  return { url: db.url, stop: () => db.server.stop() };
}

/** `projections rebuild [NAME]`: rebuilds read models from the start of the log while the old tables keep serving, then switches over. */
export function registerProjectionsCommand(program: Command): void {
  const projections = program.command('projections').description('read models projected from the event log');
  projections
    .command('rebuild')
    .argument('[name]', `${PROJECTIONS.map((p) => p.name).join(', ')} (all when omitted)`)
    .description('rebuild read models into shadow tables in batches, then switch over atomically; progress on stderr')
    .option('--batch-size <n>', 'events per batch (one transaction each)', '5000')
    .option('--metrics-port <port>', 'serve Prometheus metrics (position, lag) on this port while rebuilding')
    .action(async (name: string | undefined, opts: { batchSize: string; metricsPort?: string }) => {
      const selected = projectionsNamed(name);
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size must be a positive whole number');
      const config = loadConfig(PlatformConfig, { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' });
      const db = await platformDatabase(config);
      // The event log is read through the platform's EVENT_STORE (the decrypting decorator included);
      // the CLI serves no HTTP, so no token is ever verified here.
      const nest = await NestFactory.createApplicationContext(
        PlatformModule.forRoot({
          service: 'cli',
          config,
          databaseUrl: db.url,
          auth: { issuer: 'urn:childledger:cli', audience: 'cli', keys: async () => Promise.reject(new Error('no tokens in the CLI')) },
        }),
        { logger: ['error'] },
      );
      const store = nest.get<EventStore>(EVENT_STORE);
      const registry = nest.get<Registry>(METRICS_REGISTRY);
      const gauges = subscriptionGauges(registry);
      let server: Server | undefined;
      if (opts.metricsPort) {
        server = createServer((_req, res) => {
          void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
        }).listen(Number(opts.metricsPort), config.HOST);
      }
      const owner = createPool(db.url, { role: null, max: 2 });
      const total = Number((await owner.query('SELECT count(*) AS n FROM events')).rows[0].n);
      const head = Number((await owner.query('SELECT coalesce(max(global_position), 0) AS n FROM events')).rows[0].n);
      const bar = new SingleBar(
        { format: 'rebuilding {names} [{bar}] {percentage}% {value}/{total} events | {eta_formatted} left', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total, 0, { names: selected.map((p) => p.name).join(', ') });
      try {
        const result = await rebuildProjections({
          store,
          ownerPool: owner,
          projections: selected,
          units: new UnitResolver(loadAdministrativeUnits()),
          batchSize,
          suffix: '__rebuild',
          onProgress: (p) => {
            if (p.events > total) bar.setTotal(p.events);
            bar.update(p.events);
            const position = positionOf(p.checkpoint);
            for (const proj of selected) {
              gauges.position.set({ subscription: `${checkpointName(proj.name)}:rebuild` }, position);
              gauges.lag.set({ subscription: `${checkpointName(proj.name)}:rebuild` }, Math.max(0, head - position));
            }
          },
        });
        bar.stop();
        process.stderr.write(
          `rebuilt ${selected.map((p) => p.name).join(', ')}: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.events / Math.max(result.seconds, 0.001))} events/s), switched over at ${result.checkpoint ?? 'the start'}\n`,
        );
      } finally {
        bar.stop();
        server?.close();
        await owner.end();
        await nest.close();
        await db.stop();
      }
    });
}
