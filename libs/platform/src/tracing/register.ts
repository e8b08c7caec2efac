// Imported first by each service's main.ts (before NestJS, express, pg, kafkajs are loaded, so
// that they are instrumented): starts tracing when the OTEL_* variables ask for it, else nothing.
// The service name: OTEL_SERVICE_NAME, else the app's folder (dist/apps/<name>/main.js, apps/<name>/src/main.ts).
import * as path from 'node:path';
import { startTracing } from './tracing';

function appName(entry: string | undefined): string {
  if (!entry) return 'childledger';
  const dir = path.dirname(entry);
  return path.basename(path.basename(dir) === 'src' ? path.dirname(dir) : dir);
}

startTracing(appName(process.argv[1]));
