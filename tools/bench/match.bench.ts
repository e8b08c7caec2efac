// `npm run bench -- match`: (1) the offline match of 1,000,000 residents and 100,000 child records
// through the engine's matchFiles, in a child process (time, peak memory, accuracy against the
// generator's ground truth), baseline = the time to just parse both files; (2) online matches, one
// child at a time, through the identity adapter and the sandbox over HTTP (p50/p95 from the
// append of ChildRegistered to the adapter's decision), baseline = one raw search request.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { freePort, runMigrations } from '@childledger/database';
import { childDecider, childStreamId, RegisterChild, vietnamDate } from '@childledger/domain';
import { handleCommand } from '@childledger/event-store';
import { DevIssuer, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { generateScenario, writeRecordsCsv, writeResidentsCsv, writeTruthCsv, type ResidentRow } from '@childledger/testing';
import { createIdentityAdapter } from '../../apps/identity-adapter/src/identity-adapter.app';
import { IdentityAdapterService } from '../../apps/identity-adapter/src/identity-adapter.service';
import { createPopulationRegistrySandbox } from '../../apps/population-registry-sandbox/src/sandbox.app';
import type { BenchContext } from './bench-support';
import { figure, percentile, round } from './bench-support';

const RESIDENTS = Number(process.env['MATCH_BENCH_RESIDENTS'] ?? 1_000_000);
const RECORDS = Number(process.env['MATCH_BENCH_RECORDS'] ?? 100_000);
const SIZE = `${RESIDENTS >= 1e6 ? `${RESIDENTS / 1e6}m` : `${RESIDENTS / 1e3}k`}_x_${RECORDS / 1e3}k`;
const ONLINE_RESIDENTS_HOUSEHOLDS = 12_000; // about 50,000 residents in the sandbox
const ONLINE_MATCHES = 200;
const SEED = 20250701;
const exec = promisify(execFile);

async function generateFiles(ctx: BenchContext): Promise<{ residents: string; records: string; truth: string; out: string }> {
  const dir = path.join(tmpdir(), `childledger-match-bench-${SEED}-${RESIDENTS}-${RECORDS}`);
  const files = {
    residents: path.join(dir, 'residents.csv'),
    records: path.join(dir, 'records.csv'),
    truth: path.join(dir, 'truth.csv'),
    out: path.join(dir, 'links.csv'),
  };
  if (existsSync(files.truth)) {
    ctx.log(`reusing generated files in ${dir}`);
    return files;
  }
  mkdirSync(dir, { recursive: true });
  ctx.log(`generating ${RESIDENTS} residents and ${RECORDS} records into ${dir}`);
  const scenario = generateScenario({ seed: SEED, households: Math.round(RESIDENTS / 4.2), records: RECORDS });
  await writeResidentsCsv(files.residents, scenario.residents);
  await writeRecordsCsv(files.records, scenario.records);
  await writeTruthCsv(files.truth, scenario.truth);
  ctx.log(`generated ${scenario.residents.length} residents, ${scenario.records.length} records`);
  return files;
}

async function worker(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(
    process.execPath,
    ['--max-old-space-size=4096', '-r', path.join(__dirname, '..', 'register.js'), path.join(__dirname, 'match-offline.worker.ts'), ...args],
    {
      maxBuffer: 1 << 24,
      env: process.env,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

async function offline(ctx: BenchContext): Promise<void> {
  const files = await generateFiles(ctx);
  ctx.log('baseline: parsing both files');
  const parsed = await worker(['parse', files.residents, files.records, files.out, files.truth]);
  ctx.log('matching');
  const s = (await worker(['match', files.residents, files.records, files.out, files.truth])) as {
    residents: number;
    records: number;
    decisions: Record<string, number>;
    pairsPerRecord: number;
    durationMs: number;
    wallMs: number;
    peakRssBytes: number;
    maxRssBytes: number;
    quality: Record<string, number>;
  };
  const parseSeconds = Number(parsed['durationMs']) / 1000;
  const seconds = s.durationMs / 1000;
  ctx.emit({ ...figure(`match.offline.${SIZE}.time`, seconds, 's', parseSeconds, { residents: s.residents, records: s.records, target: '<= 180 s' }, true) });
  ctx.emit({
    bench: `match.offline.${SIZE}.peak_rss`,
    value: round(Math.max(s.peakRssBytes, s.maxRssBytes) / 2 ** 20),
    unit: 'MiB',
    baseline: round(Number(parsed['peakRssBytes']) / 2 ** 20),
    target: '<= 4096 MiB',
  });
  const q = s.quality;
  const share = (k: string) => round((q[k] ?? 0) * 100, 3);
  ctx.emit({ bench: `match.offline.${SIZE}.linked_precision`, value: share('linkedPrecision'), unit: '%', target: '>= 99.5' });
  ctx.emit({ bench: `match.offline.${SIZE}.linked_recall`, value: share('linkedRecall'), unit: '%', target: '>= 90' });
  ctx.emit({ bench: `match.offline.${SIZE}.linked_or_review_recall`, value: share('linkedOrReviewRecall'), unit: '%' });
  ctx.emit({ bench: `match.offline.${SIZE}.review_share`, value: share('reviewShare'), unit: '%', target: '<= 8' });
  ctx.emit({ bench: `match.offline.${SIZE}.false_link_no_record`, value: share('falseLinkRateNoRecord'), unit: '%', target: '< 0.5' });
  ctx.emit({
    bench: `match.offline.${SIZE}.blocking_recall`,
    value: share('blockingRecall'),
    unit: '%',
    target: '>= 99.5',
    pairsPerRecord: round(s.pairsPerRecord),
  });
  ctx.emit({ bench: `match.offline.${SIZE}.decisions`, value: s.records, unit: 'records', ...s.decisions });
}

async function online(ctx: BenchContext): Promise<void> {
  await runMigrations(ctx.url, ALL_MIGRATIONS);
  const issuer = await DevIssuer.create('urn:childledger:bench');
  const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const, CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
  const residents: ResidentRow[] = generateScenario({ seed: SEED + 1, households: ONLINE_RESIDENTS_HOUSEHOLDS, records: 0 }).residents;
  const secret = { SANDBOX_CLIENT_ID: 'bench', SANDBOX_CLIENT_SECRET: 'bench-secret-123' };
  ctx.log(`seeding the sandbox with ${residents.length} residents`);
  // The sandbox as npm start runs it (20 ms latency), but without random 5xx and hangs: this measures the path, not the faults.
  const sandbox = await createPopulationRegistrySandbox(config, ctx.url, {
    auth: issuer.authOptions(),
    sandbox: secret,
    faults: { latencyMs: 20, errorRate: 0, timeoutRate: 0, rateLimitPerSecond: 0 },
    residents: () =>
      residents.map((r) => ({
        personalId: r.personal_id,
        fullName: r.full_name,
        sex: r.sex,
        dateOfBirth: r.date_of_birth,
        residenceCommuneCode: r.residence_commune_code,
        motherFullName: r.mother_full_name,
        fatherFullName: r.father_full_name,
      })),
  });
  const sandboxPort = await freePort();
  await sandbox.listen(sandboxPort, '127.0.0.1');
  ctx.log('sandbox ready');
  const base = `http://127.0.0.1:${sandboxPort}/api/v1`;
  const adapter = await createIdentityAdapter(config, ctx.url, {
    auth: issuer.authOptions(),
    adapter: {
      NATIONAL_REGISTRY_URL: base,
      NATIONAL_REGISTRY_CLIENT_ID: secret.SANDBOX_CLIENT_ID,
      NATIONAL_REGISTRY_CLIENT_SECRET: secret.SANDBOX_CLIENT_SECRET,
      NATIONAL_REGISTRY_RATE_PER_SECOND: 1000,
    },
  });
  await adapter.init();
  const service = adapter.get(IdentityAdapterService);
  const store = (service as unknown as { subscription: { options: { store: import('@childledger/event-store').EventStore } } }).subscription.options.store;
  const units = loadAdministrativeUnits();
  const today = vietnamDate(new Date());
  const minDob = `${Number(today.slice(0, 4)) - 15}${today.slice(4)}`;
  const children = residents
    .filter((r) => r.date_of_birth > minDob && r.date_of_birth <= today && units.isCommuneValidOn(r.residence_commune_code, today))
    .slice(0, ONLINE_MATCHES);

  // Baseline: one raw search request to the sandbox, the plainest call the adapter makes.
  const tokenRes = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: secret.SANDBOX_CLIENT_ID, client_secret: secret.SANDBOX_CLIENT_SECRET }),
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const raw: number[] = [];
  for (const c of children) {
    const t0 = performance.now();
    const res = await fetch(`${base}/residents/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ givenName: c.full_name.split(' ').pop(), dateOfBirth: c.date_of_birth }),
    });
    await res.json();
    raw.push(performance.now() - t0);
  }
  raw.sort((a, b) => a - b);
  ctx.log(`baseline: ${raw.length} raw searches`);

  const latencies: number[] = [];
  const kinds: Record<string, number> = {};
  let seq = 0;
  for (const c of children) {
    const childId = `bench-${seq++}`;
    const command: RegisterChild = {
      type: 'RegisterChild',
      data: {
        childId,
        fullName: c.full_name,
        dateOfBirth: c.date_of_birth,
        sex: c.sex,
        residence: { communeCode: c.residence_commune_code, effectiveFrom: today },
      },
      context: { now: new Date(), units },
    };
    const t0 = performance.now();
    await handleCommand(store, childStreamId(childId), command, childDecider, { metadata: { actor: { userId: 'bench', role: 'data_officer' } } });
    for (;;) {
      // The decision is followed at once by the adapter's own NationalIdLinked etc.: look a few back.
      const mine = service.outcomes.slice(-10).find((o) => 'childId' in o.outcome && o.outcome.childId === childId);
      if (mine) {
        kinds[mine.outcome.kind] = (kinds[mine.outcome.kind] ?? 0) + 1;
        break;
      }
      await new Promise((r) => setTimeout(r, 2)); // a sleep, not a spin: the adapter runs in this process
    }
    latencies.push(performance.now() - t0);
    if (latencies.length % 50 === 0) ctx.log(`${latencies.length} online matches`);
  }
  latencies.sort((a, b) => a - b);
  ctx.emit({
    ...figure(
      'match.online.adapter_sandbox.p95',
      percentile(latencies, 95),
      'ms',
      percentile(raw, 95),
      {
        p50: round(percentile(latencies, 50)),
        matches: latencies.length,
        sandboxResidents: residents.length,
        sandboxLatencyMs: 20,
        outcomes: kinds,
        target: '<= 200 ms',
      },
      true,
    ),
  });
  await adapter.close();
  await sandbox.close();
}

/** MATCH_BENCH_ONLY=online or offline runs one half. */
export async function run(ctx: BenchContext): Promise<void> {
  const only = process.env['MATCH_BENCH_ONLY'];
  if (only !== 'offline') await online(ctx);
  if (only !== 'online') await offline(ctx);
}
