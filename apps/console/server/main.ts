// The console's server run on its own: `node dist/apps/console/main.js` (its image, deploy/k8s).
// Serves the static build beside it (static/), /config.json and the probes; proxies /registry,
// /query and /gateway only when told where they are (in a cluster the Ingress routes them to the APIs).
// `npm start` does not use this file: it runs the same server in its own process (tools/start.ts).
import 'reflect-metadata';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '@childledger/platform/config';
import { ConsoleConfig, consoleConfigProblems } from './console.config';
import { createConsoleServer, listenConsole } from './console-server';

function line(message: string): void {
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'console', msg: message })}\n`);
}

async function main(): Promise<void> {
  let config: ConsoleConfig;
  try {
    config = loadConfig(ConsoleConfig);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`console: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const problems = consoleConfigProblems(config);
  if (problems.length > 0) {
    process.stderr.write(`console: refusing to start:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  const entry = require.main?.filename ?? process.argv[1] ?? __filename;
  const distDir = config.CONSOLE_STATIC_DIR ?? path.join(path.dirname(entry), 'static');
  const app = createConsoleServer({
    distDir,
    upstreams: { registry: config.CONSOLE_REGISTRY_URL, query: config.CONSOLE_QUERY_URL, gateway: config.CONSOLE_GATEWAY_URL },
    runtime: { oidc: { issuer: config.CONSOLE_OIDC_ISSUER as string, clientId: config.CONSOLE_OIDC_CLIENT_ID, scope: config.CONSOLE_OIDC_SCOPE } },
  });
  const server = await listenConsole(app, config.CONSOLE_PORT, config.HOST);
  line(`listening on ${config.HOST}:${config.CONSOLE_PORT}`);
  const stop = (signal: string) => {
    line(`${signal}: stopping`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`console: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
