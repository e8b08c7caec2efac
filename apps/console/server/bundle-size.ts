// The console's first-load JavaScript, gzipped, measured on the build: the entry script and the
// modules index.html preloads (what a browser fetches before the first screen; lazy routes excluded).
//   node -r ./tools/register.js apps/console/server/bundle-size.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST } from './build';

export interface BundleSize {
  firstLoadGzipBytes: number;
  allJsGzipBytes: number;
  files: { file: string; bytes: number; gzipBytes: number }[];
}

export function measureFirstLoad(dist = CONSOLE_DIST): BundleSize {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const first = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const size = (f: string) => {
    const bytes = fs.readFileSync(path.join(dist, f));
    return { file: f, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  };
  const files = first.map(size);
  const all = fs
    .readdirSync(path.join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => size(`assets/${f}`));
  return {
    firstLoadGzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
    allJsGzipBytes: all.reduce((n, f) => n + f.gzipBytes, 0),
    files,
  };
}

if (require.main === module) {
  const r = measureFirstLoad();
  process.stdout.write(
    `${JSON.stringify({ name: 'console first-load JS gzipped', kb: +(r.firstLoadGzipBytes / 1024).toFixed(1), allJsKb: +(r.allJsGzipBytes / 1024).toFixed(1), files: r.files })}\n`,
  );
}
