import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { eventually } from '@childledger/event-store/testing';
import { childRegistered, trustTestKit, TrustTestKit } from '../testing/trust-test-kit';
import { chainStep, eventDigest, GENESIS, STORED_ROW_SQL, StoredEventRow } from './canonical';
import { buildInclusionProof, verifyInclusionProof } from './inclusion-proof';
import { LogSealer } from './log-sealer';
import { databaseLogSource, exportLog, fileLogSource, verifyLog } from './log-verifier';
import { SealKey, trustedSealKeys } from './seal-key';

const key = SealKey.fromBase64Seed(SealKey.generateSeed());
const trusted = trustedSealKeys([key.publicKeyBase64]);

async function writeSomeLog(kit: TrustTestKit, children = 6): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < children; i++) {
    const child = randomUUID();
    ids.push(child);
    await kit.store.append(`child-${child}`, [childRegistered(child, { fullName: `Trẻ số ${i}`, dateOfBirth: '2015-05-0' + ((i % 9) + 1) })]);
    const caseId = randomUUID();
    await kit.store.append(`case-${caseId}`, [
      { id: randomUUID(), type: 'CaseOpened', data: { caseId, childId: child, channel: 'school', personal: { description: `mô tả ${i}` } } },
      { id: randomUUID(), type: 'CaseAssessed', data: { caseId, riskLevel: 'low', personal: {} } },
    ]);
  }
  return ids;
}

async function sealedLog(everyEvents = 5): Promise<{ kit: TrustTestKit; sealer: LogSealer; children: string[] }> {
  const kit = await trustTestKit();
  const children = await writeSomeLog(kit);
  const sealer = new LogSealer({ pool: kit.pool, key, everyEvents, everyMs: 3_600_000 });
  await sealer.sealNow();
  return { kit, sealer, children };
}

async function positions(owner: Pool): Promise<{ position: string; tx: string; id: string }[]> {
  const { rows } = await owner.query<{ position: string; tx: string; id: string }>(
    'SELECT global_position::text AS position, transaction_id::text AS tx, event_id::text AS id FROM events ORDER BY transaction_id, global_position',
  );
  return rows;
}

describe('sealed log', () => {
  it('an untouched log verifies: every event chained, every checkpoint signed and matching', async () => {
    const { kit } = await sealedLog();
    try {
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.events).toBe(18);
      expect(report.sealed).toBe(18);
      expect(report.checkpoints).toBeGreaterThanOrEqual(2);
      // The recorded chain is h_n = SHA-256(h_{n-1} || SHA-256(canonical bytes)), recomputable from the rows alone.
      const { rows } = await kit.owner.query<StoredEventRow>(`SELECT ${STORED_ROW_SQL} FROM events ORDER BY events.transaction_id, events.global_position`);
      const head = rows.reduce((h: Buffer, r) => chainStep(h, eventDigest(r)), GENESIS);
      const last = await kit.owner.query<{ chain_head: Buffer }>('SELECT chain_head FROM log_seals ORDER BY seq DESC LIMIT 1');
      expect(last.rows[0]!.chain_head.equals(head)).toBe(true);
    } finally {
      await kit.teardown();
    }
  });

  it('a log with erased children verifies (the chain covers ciphertext, which erasure leaves in place)', async () => {
    const { kit, sealer, children } = await sealedLog();
    try {
      await kit.keyring.destroy(children[0]!);
      await kit.store.append(`child-${children[0]}`, [
        {
          id: randomUUID(),
          type: 'ChildPersonalDataErased',
          data: { childId: children[0], reason: 'Quyết định số 12/QĐ', erasedAt: new Date().toISOString() },
        },
      ]);
      await kit.keyring.destroy(children[1]!);
      await sealer.sealNow();
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.problems).toEqual([]);
      expect(report.sealed).toBe(19);
      expect((await kit.store.readStream(`child-${children[0]}`))[0]!.data.personal).toBeNull();
    } finally {
      await kit.teardown();
    }
  });

  it('an edited row (as the database superuser) fails verification naming its position', async () => {
    const { kit } = await sealedLog();
    try {
      const target = (await positions(kit.owner))[7]!;
      await kit.owner.query(`UPDATE events SET data = jsonb_set(data, '{riskLevel}', '"critical"') WHERE global_position = $1`, [target.position]);
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ kind: 'content', seq: 8, position: target.position, eventId: target.id });
      expect(report.problems[0]!.message).toContain(`position ${target.position}`);
    } finally {
      await kit.teardown();
    }
  });

  it('an edit covered up in the chain table too (triggers disabled) is caught by the signed checkpoint', async () => {
    const { kit } = await sealedLog(5);
    try {
      const all = await positions(kit.owner);
      const target = all[6]!; // seq 7, covered by the checkpoint at seq 10
      await kit.owner.query(`UPDATE events SET metadata = metadata || '{"reason":"rewritten"}' WHERE global_position = $1`, [target.position]);
      // Rewrite the whole chain from there so that it is consistent with the edited row.
      const client = await kit.owner.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        const { rows } = await client.query<StoredEventRow>(`SELECT ${STORED_ROW_SQL} FROM events ORDER BY events.transaction_id, events.global_position`);
        let h: Buffer = GENESIS;
        for (const [i, r] of rows.entries()) {
          const d = eventDigest(r);
          h = chainStep(h, d);
          await client.query('UPDATE log_chain SET event_digest = $2, chain_hash = $3 WHERE seq = $1', [i + 1, d, h]);
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ kind: 'checkpoint', seq: 10 });
      expect(report.problems[0]!.message).toContain('between seq 6 and 10');
    } finally {
      await kit.teardown();
    }
  });

  it('a deleted row fails verification naming its position', async () => {
    const { kit } = await sealedLog();
    try {
      const target = (await positions(kit.owner))[4]!;
      await kit.owner.query('DELETE FROM events WHERE global_position = $1', [target.position]);
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.problems[0]).toMatchObject({ kind: 'order', seq: 5, position: target.position, eventId: target.id });
    } finally {
      await kit.teardown();
    }
  });

  it('a deleted last row fails verification too', async () => {
    const { kit } = await sealedLog();
    try {
      const all = await positions(kit.owner);
      const target = all[all.length - 1]!;
      await kit.owner.query('DELETE FROM events WHERE global_position = $1', [target.position]);
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.problems[0]).toMatchObject({ kind: 'order', seq: all.length, position: target.position });
    } finally {
      await kit.teardown();
    }
  });

  it('reordered rows (transaction ids swapped) fail verification naming the first moved position', async () => {
    const { kit } = await sealedLog();
    try {
      const all = await positions(kit.owner);
      const a = all[2]!;
      const b = all.find((r) => r.tx !== a.tx && BigInt(r.tx) > BigInt(a.tx))!;
      await kit.owner.query(
        `UPDATE events SET transaction_id = CASE WHEN global_position = $1 THEN $4::xid8 ELSE $3::xid8 END WHERE global_position IN ($1, $2)`,
        [a.position, (await kit.owner.query('SELECT global_position FROM events WHERE event_id = $1', [b.id])).rows[0].global_position, a.tx, b.tx],
      );
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ kind: 'order', seq: 3, position: a.position });
    } finally {
      await kit.teardown();
    }
  });

  it('the chain tables are append-only: the application role lacks the privilege and the owner hits the trigger', async () => {
    const { kit } = await sealedLog();
    try {
      await expect(kit.pool.query('UPDATE log_chain SET chain_hash = chain_hash')).rejects.toThrow(/permission denied/);
      await expect(kit.pool.query('DELETE FROM log_seals')).rejects.toThrow(/permission denied/);
      await expect(kit.pool.query('UPDATE events SET data = data')).rejects.toThrow(/permission denied/);
      await expect(kit.owner.query('DELETE FROM log_seals')).rejects.toThrow(/append-only/);
      await expect(kit.owner.query('TRUNCATE log_chain')).rejects.toThrow(/append-only/);
    } finally {
      await kit.teardown();
    }
  });

  it('a checkpoint signed by an untrusted key, or with a broken signature, fails', async () => {
    const { kit, sealer } = await sealedLog();
    try {
      const other = SealKey.fromBase64Seed(SealKey.generateSeed());
      const report = await verifyLog(databaseLogSource(kit.owner), trustedSealKeys([other.publicKeyBase64]));
      expect(report.ok).toBe(false);
      expect(report.problems[0]!.kind).toBe('signature');
      expect(report.problems[0]!.message).toContain('not trusted');
      // A forged checkpoint, inserted with triggers off: its signature does not verify.
      await kit.store.append(`child-${randomUUID()}`, [{ id: randomUUID(), type: 'X', data: {} }]);
      await sealer.sealNow();
      await expect(kit.owner.query(`UPDATE log_seals SET sealed_at = '2020-01-01T00:00:00.000Z'`)).rejects.toThrow(/append-only/);
      const client = await kit.owner.connect();
      await client.query('SET session_replication_role = replica');
      await client.query(`UPDATE log_seals SET sealed_at = '2020-01-01T00:00:00.000Z' WHERE seq = (SELECT max(seq) FROM log_seals)`);
      client.release();
      const forged = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(forged.problems).toEqual([expect.objectContaining({ kind: 'signature', seq: 19 })]);
    } finally {
      await kit.teardown();
    }
  });

  it('exports the log to a file that verifies, and an edited export fails naming the position', async () => {
    const { kit } = await sealedLog();
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'cl-export-'));
      const file = path.join(dir, 'log.jsonl');
      const out = await exportLog(kit.owner, file);
      expect(out.entries).toBe(18);
      const report = await verifyLog(fileLogSource(file), trusted);
      expect(report.problems).toEqual([]);
      expect(await fileLogSource(file).publishedKeys()).toEqual([key.publicKeyBase64]);
      // Personal data is not in the export in clear.
      expect(readFileSync(file, 'utf8')).not.toContain('Trẻ số');

      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      const entry = JSON.parse(lines[4]!);
      entry.row.eventType = 'SomethingElse';
      lines[4] = JSON.stringify(entry);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const edited = await verifyLog(fileLogSource(file), trusted);
      expect(edited.problems[0]).toMatchObject({ kind: 'content', seq: 4, position: entry.row.position });
    } finally {
      await kit.teardown();
    }
  });

  it('proves one event is covered by a signed checkpoint; an altered record or an untrusted key fails', async () => {
    const { kit } = await sealedLog(5);
    try {
      const target = (await positions(kit.owner))[6]!;
      const proof = await buildInclusionProof(kit.pool, target.id);
      expect(proof.seq).toBe(7);
      expect(proof.checkpoint.seq).toBe(10);
      expect(proof.followingDigests).toHaveLength(3);
      expect(verifyInclusionProof(proof, trusted)).toEqual({ ok: true });
      // Survives a JSON round trip (what an inspector downloads).
      expect(verifyInclusionProof(JSON.parse(JSON.stringify(proof)), trusted)).toEqual({ ok: true });
      expect(verifyInclusionProof({ ...proof, record: { ...proof.record, metadata: '{}' } }, trusted).ok).toBe(false);
      expect(verifyInclusionProof({ ...proof, followingDigests: proof.followingDigests.slice(1) }, trusted).ok).toBe(false);
      expect(verifyInclusionProof(proof, trustedSealKeys([SealKey.fromBase64Seed(SealKey.generateSeed()).publicKeyBase64])).ok).toBe(false);
    } finally {
      await kit.teardown();
    }
  });

  it('chains every event exactly once in the store order while writers run and a transaction commits late', async () => {
    const kit = await trustTestKit();
    const sealer = new LogSealer({ pool: kit.pool, key, everyEvents: 50, everyMs: 200, pollMs: 20, batchSize: 64 });
    try {
      sealer.start();
      // A transaction takes a low position, then commits after many later ones.
      let commitLate!: () => void;
      const held = new Promise<void>((resolve) => (commitLate = resolve));
      let lateAppended!: () => void;
      const appended = new Promise<void>((resolve) => (lateAppended = resolve));
      const lateChild = randomUUID();
      const late = kit.store.capabilities.appendInTransaction!.transaction(async (tx) => {
        await tx.append(`child-${lateChild}`, [childRegistered(lateChild, { fullName: 'Muộn', dateOfBirth: '2016-01-01' })]);
        lateAppended();
        await held;
      });
      await appended;
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; i < 40; i++) {
            const c = randomUUID();
            await kit.store.append(`child-${c}`, [childRegistered(c, { fullName: `W${w}-${i}`, dateOfBirth: '2016-01-01' })]);
          }
        }),
      );
      commitLate();
      await late;
      await eventually(async () => Number((await kit.owner.query('SELECT count(*) AS n FROM log_chain')).rows[0].n) === 161, 30_000, 'all events chained');
      await sealer.stop();
      const report = await verifyLog(databaseLogSource(kit.owner), trusted);
      expect(report.problems).toEqual([]);
      expect(report.events).toBe(161);
      expect(report.sealed).toBe(161); // stop() seals the tail
      const { rows } = await kit.owner.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM log_chain');
      expect(rows[0]).toEqual({ n: '161', d: '161' });
      // The late transaction has the oldest transaction id: the chain starts with it, although it committed last.
      const first = await kit.owner.query<{ stream_id: string }>(
        'SELECT e.stream_id FROM log_chain c JOIN events e ON e.event_id = c.event_id WHERE c.seq = 1',
      );
      expect(first.rows[0]!.stream_id).toBe(`child-${lateChild}`);
    } finally {
      await sealer.stop();
      await kit.teardown();
    }
  });
});
