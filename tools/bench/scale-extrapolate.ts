// The scale bench's extrapolation from saved JSON lines (a run's stdout, or several runs' at
// different sizes): `node -r ./tools/register.js tools/bench/scale-extrapolate.ts FILE... [--to N]`
// prints one line per figure measured at two log sizes or more (default N: 100,000,000).
import { readFileSync } from 'node:fs';
import { extrapolateFigures, SizedFigure } from './scale-growth';

const args = process.argv.slice(2);
const toAt = args.indexOf('--to');
const to = toAt >= 0 ? Number(args[toAt + 1]) : 100_000_000;
const files = toAt >= 0 ? args.filter((_, i) => i !== toAt && i !== toAt + 1) : args;
if (files.length === 0 || !Number.isFinite(to)) {
  process.stderr.write('usage: scale-extrapolate.ts FILE... [--to EVENTS]\n');
  process.exit(2);
}
const figures = files.flatMap((f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as SizedFigure),
);
for (const line of extrapolateFigures(figures, to)) process.stdout.write(`${JSON.stringify(line)}\n`);
