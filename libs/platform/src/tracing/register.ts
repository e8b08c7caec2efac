// Imported first by each service's main.ts (before NestJS, express, pg, kafkajs are loaded, so
// that they are instrumented): starts tracing when the OTEL_* variables ask for it, else nothing.
// The service name: OTEL_SERVICE_NAME, else the built app's package.json beside main.js
// (`@childledger/<name>`: the image's /app/main.js), else the app's folder (apps/<name>/src/main.ts).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startTracing } from './tracing';

export function appName(entry: string | undefined): string {
  if (!entry) return 'childledger';
  const dir = path.dirname(entry);
  try {
    const name = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name.startsWith('@childledger/')) return name.slice('@childledger/'.length);
  } catch {
    // No package.json beside the entry: run from source.
  }
  return path.basename(path.basename(dir) === 'src' ? path.dirname(dir) : dir);
}

startTracing(appName(process.argv[1]));
