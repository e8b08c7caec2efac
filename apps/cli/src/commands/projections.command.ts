import { createServer, Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { Client } from 'pg';
import type { Registry } from 'prom-client';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE, loadConfig, METRICS_REGISTRY, PlatformConfig, PlatformModule, subscriptionGauges } from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';
import { checkpointName, positionOf, PROJECTIONS, rebuildProjections, UnitResolver } from '@childledger/read-models';
import { createPool } from '@childledger/database';
import { parseRebuildOptions, RebuildProgressReporter } from './projections-rebuild.options';

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

/**
 * `projections rebuild [NAME...] [--projection NAME]...`: rebuilds read models from the start of
 * the log while the old tables keep serving, then switches over; the projections in parallel
 * lanes; progress lines (events/s, ETA) on stderr.
 */
export function registerProjectionsCommand(program: Command): void {
  const projections = program.command('projections').description('read models projected from the event log');
  projections
    .command('rebuild')
    .argument('[names...]', `${PROJECTIONS.map((p) => p.name).join(', ')} (all when none is named)`)
    .description('rebuild read models into shadow tables in batches, then switch over atomically; progress on stderr')
    .option(
      '--projection <name>',
      'a projection to rebuild (repeatable, or comma-separated); all when none is named',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--lanes <n>', 'projections rebuilt in parallel, each lane on its own connection (default: one per projection, at most 3)')
    .option('--batch-size <n>', 'events per batch (one transaction each)', '5000')
    .option('--progress-every <seconds>', 'seconds between progress lines', '5')
    .option('--metrics-port <port>', 'serve Prometheus metrics (position, lag) on this port while rebuilding')
    .action(async (names: string[], raw: { projection: string[]; lanes?: string; batchSize: string; progressEvery: string; metricsPort?: string }) => {
      // Every option is checked before anything connects.
      const opts = parseRebuildOptions({ names, ...raw });
      const selected = opts.projections;
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
        }).listen(opts.metricsPort, config.HOST);
      }
      // One connection per lane (the first one also switches over), and one to spare.
      const lanes = opts.lanes ?? Math.min(selected.length, 3);
      const owner = createPool(db.url, { role: null, max: lanes + 1 });
      const total = Number((await owner.query('SELECT count(*) AS n FROM events')).rows[0].n);
      const head = Number((await owner.query('SELECT coalesce(max(global_position), 0) AS n FROM events')).rows[0].n);
      const rebuilt = selected.map((p) => p.name);
      process.stderr.write(
        `rebuild ${rebuilt.join(', ')}: ${total.toLocaleString('en-US')} events in the log, ${Math.min(lanes, selected.length)} lane(s), batches of ${opts.batchSize}\n`,
      );
      const reporter = new RebuildProgressReporter(rebuilt, total, (line) => process.stderr.write(`${line}\n`), opts.progressEverySeconds);
      try {
        const result = await rebuildProjections({
          store,
          ownerPool: owner,
          projections: selected,
          units: new UnitResolver(loadAdministrativeUnits()),
          batchSize: opts.batchSize,
          lanes,
          suffix: '__rebuild',
          onProgress: (p) => {
            reporter.update(p);
            const position = positionOf(p.checkpoint);
            for (const proj of selected) {
              gauges.position.set({ subscription: `${checkpointName(proj.name)}:rebuild` }, position);
              gauges.lag.set({ subscription: `${checkpointName(proj.name)}:rebuild` }, Math.max(0, head - position));
            }
          },
        });
        const per = Object.entries(result.projectionSeconds)
          .map(([n, sec]) => `${n} ${sec.toFixed(1)} s`)
          .join(', ');
        process.stderr.write(
          `rebuilt ${rebuilt.join(', ')}: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.events / Math.max(result.seconds, 0.001))} events/s; ${per}; indexes ${result.indexSeconds.toFixed(1)} s), switched over at ${result.checkpoint ?? 'the start'}\n`,
        );
      } finally {
        server?.close();
        await owner.end();
        await nest.close();
        await db.stop();
      }
    });
}
