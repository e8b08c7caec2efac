import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { PartnerCloudEvent, parseAgreement } from '@childledger/partner-streams';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { OutboxSignal, PgPartnerFeed } from './pg-partner-feed';
import * as ev from './testing/domain-events';

type Delivered = { position: string; event: PartnerCloudEvent };

/**
 * Two gateway replicas, as two processes, each running the partner's projection and its Kafka
 * relay under a lease (the crash script with CRASH_LEASED=1, a file standing in for Kafka). Only
 * one relays at a time: with both up, every event reaches the sink exactly once (two relays
 * without the lease would send every event twice, and interleave). When the active one is killed
 * the standby takes over from the checkpoint: nothing lost, per-key order kept.
 */
describe('Kafka relay under a lease, two gateway processes', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('one relays, the other stands by; the standby takes over when the active one is killed; exactly once while both run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-lease-'));
    const file = path.join(dir, 'sink.jsonl');
    const agreement = parseAgreement({
      id: 'lease',
      name: 'Lease',
      sector: 'health',
      jurisdictions: ['55'],
      channels: ['kafka'],
      events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'] },
    });
    const root = path.resolve(__dirname, '../../..');
    const start = (label: string) => {
      const child = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'testing/crash-relay.script.ts')], {
        env: { ...process.env, CRASH_DATABASE_URL: db.url, CRASH_SINK_FILE: file, CRASH_AGREEMENT: JSON.stringify(agreement), CRASH_LEASED: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const state = { label, child, ready: false, active: false };
      child.stdout!.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) {
          if (line === 'ready') state.ready = true;
          if (line === 'active') state.active = true;
        }
      });
      child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[relay ${label} stderr] ${d.toString()}`));
      return state;
    };
    const delivered = (): Delivered[] =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Delivered)
        : [];
    const keys = Array.from({ length: 10 }, () => randomUUID());
    let written = 0;
    const write = async (n: number) => {
      for (let i = 0; i < n; i++, written++) {
        const c = keys[written % keys.length]!;
        await store.append(`child-${c}`, [written < keys.length ? ev.childRegistered(c, '55001') : ev.specialCircumstanceIdentified(c, (written % 14) + 1)]);
      }
    };

    const a = start('a');
    const b = start('b');
    await eventually(async () => a.ready && b.ready, 30_000, 'both replicas to start');
    await eventually(async () => a.active || b.active, 10_000, 'one replica to take the lease');
    await write(300);
    await eventually(async () => delivered().length >= 300, 60_000, 'the first 300 events delivered');
    // Let the standby try for the lease many times (every 50 ms) while nothing more arrives.
    await new Promise((r) => setTimeout(r, 500));
    const whileBoth = delivered();
    expect([a.active, b.active].filter(Boolean)).toHaveLength(1);
    expect(whileBoth).toHaveLength(300);
    expect(new Set(whileBoth.map((d) => d.event.id)).size).toBe(300);

    const [active, standby] = a.active ? [a, b] : [b, a];
    active.child.kill('SIGKILL');
    await new Promise((r) => active.child.once('exit', r));
    await write(300);
    await eventually(async () => standby.active, 20_000, 'the standby to take the lease');
    await eventually(async () => new Set(delivered().map((d) => d.event.id)).size >= 600, 60_000, 'every event delivered after the takeover');
    standby.child.kill('SIGKILL');
    await new Promise((r) => standby.child.once('exit', r));

    const feed = new PgPartnerFeed(pool, new OutboxSignal(), 50);
    const expected: PartnerCloudEvent[] = [];
    for (let after = 0n; ;) {
      const page = await feed.page('lease', after, 1000);
      if (page.events.length === 0) break;
      expected.push(...page.events);
      after = page.sequences[page.sequences.length - 1]!;
    }
    const all = delivered();
    rmSync(dir, { recursive: true, force: true });
    expect(expected).toHaveLength(600);
    const first = new Map<string, Delivered>();
    for (const d of all) {
      const seen = first.get(d.event.id);
      if (seen) expect(d).toEqual(seen);
      else first.set(d.event.id, d);
    }
    expect(new Set(first.keys())).toEqual(new Set(expected.map((e) => e.id)));
    for (const key of new Set(expected.map((e) => e.subject))) {
      expect([...first.values()].filter((d) => d.event.subject === key).map((d) => d.event.id)).toEqual(
        expected.filter((e) => e.subject === key).map((e) => e.id),
      );
    }
    // Redelivered after the takeover: at most the batch the killed one had sent but not checkpointed.
    expect(all.length - 600).toBeLessThanOrEqual(17);
  });
});
