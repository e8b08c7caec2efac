import { randomUUID } from 'node:crypto';
import { eventually } from '@childledger/event-store/testing';
import { childRegistered, trustTestKit, TrustTestKit } from '../testing/trust-test-kit';
import { buildInclusionProof, verifyInclusionProof } from './inclusion-proof';
import { LogSealer } from './log-sealer';
import { databaseLogSource, loadSeals, verifyLog } from './log-verifier';
import { SealKey, trustedSealKeys } from './seal-key';

const keyA = SealKey.fromBase64Seed(SealKey.generateSeed());
const keyB = SealKey.fromBase64Seed(SealKey.generateSeed());
const both = trustedSealKeys([keyA.publicKeyBase64, keyB.publicKeyBase64]);

async function appendChildren(kit: TrustTestKit, n: number, prefix = 'Trẻ'): Promise<void> {
  for (let i = 0; i < n; i++) {
    const c = randomUUID();
    await kit.store.append(`child-${c}`, [childRegistered(c, { fullName: `${prefix} ${i}`, dateOfBirth: '2016-01-01' })]);
  }
}

/** The edge cases of docs/trust.md "Seal key rotation" (the procedure itself: tools/seal-rotation.e2e-spec.ts). */
describe('seal key rotation', () => {
  it('old and new sealer running at once (a rolling restart): one chain, checkpoints of both keys may interleave, all verify with both keys', async () => {
    const kit = await trustTestKit();
    const a = new LogSealer({ pool: kit.pool, key: keyA, everyEvents: 4, everyMs: 3_600_000, pollMs: 5, batchSize: 2 });
    const b = new LogSealer({ pool: kit.pool, key: keyB, everyEvents: 4, everyMs: 3_600_000, pollMs: 5, batchSize: 2 });
    try {
      a.start();
      b.start();
      await appendChildren(kit, 60);
      await eventually(async () => Number((await kit.owner.query('SELECT count(*) AS n FROM log_chain')).rows[0].n) === 60, 30_000, 'all events chained');
      await a.stop();
      await b.stop();
      const seals = await loadSeals(kit.owner);
      // Every event chained once, checkpoints exactly every 4 events whichever sealer wrote them.
      expect(seals.map((s) => s.seq)).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 4));
      const { rows } = await kit.owner.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM log_chain');
      expect(rows[0]).toEqual({ n: '60', d: '60' });
      const report = await verifyLog(databaseLogSource(kit.owner), both);
      expect(report.problems).toEqual([]);
      expect(report.sealed).toBe(60);
      // Which sealer won each step is up to the scheduler; whoever signed, an inspector given only
      // the new key fails exactly at the old key's checkpoints.
      const byA = seals.filter((s) => s.keyId === keyA.keyId).map((s) => s.seq);
      const onlyB = await verifyLog(databaseLogSource(kit.owner), trustedSealKeys([keyB.publicKeyBase64]));
      expect(onlyB.problems.map((p) => p.seq)).toEqual(byA);
      expect(onlyB.ok).toBe(byA.length === 0);
      // Interleaved or not, A bounded to the last seq it signed still accepts the genuine chain.
      if (byA.length > 0) {
        const bounded = await verifyLog(databaseLogSource(kit.owner), trustedSealKeys([`${keyA.publicKeyBase64}@${Math.max(...byA)}`, keyB.publicKeyBase64]));
        expect(bounded.problems).toEqual([]);
      }
    } finally {
      await a.stop();
      await b.stop();
      await kit.teardown();
    }
  });

  it('a leaked old key can re-sign a rewritten tail after the rotation; a kept checkpoint of the new key catches it, and so does the old key bounded to its last seq', async () => {
    const kit = await trustTestKit();
    try {
      await appendChildren(kit, 6);
      await new LogSealer({ pool: kit.pool, key: keyA, everyEvents: 3, everyMs: 3_600_000 }).sealNow();
      // Rotation: the sealer restarts with key B.
      await appendChildren(kit, 6);
      await new LogSealer({ pool: kit.pool, key: keyB, everyEvents: 3, everyMs: 3_600_000 }).sealNow();
      const seals = await loadSeals(kit.owner);
      expect(seals.map((s) => [s.seq, s.keyId])).toEqual([
        [3, keyA.keyId],
        [6, keyA.keyId],
        [9, keyB.keyId],
        [12, keyB.keyId],
      ]);
      const kept = seals[2]!; // the first checkpoint signed by the new key, kept by an inspector
      // What the inspector records at the rotation: A signed checkpoints through seq 6 and nothing after.
      const bounded = trustedSealKeys([`${keyA.publicKeyBase64}@6`, keyB.publicKeyBase64]);
      const genuine = await verifyLog(databaseLogSource(kit.owner), bounded);
      expect(genuine.problems).toEqual([]);
      expect([genuine.ok, genuine.sealed]).toEqual([true, 12]);

      // An attacker with the database superuser and the old private key: drops everything after
      // the rotation, writes another history and seals it with key A.
      const client = await kit.owner.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        const at6 = (
          await client.query<{ transaction_id: string; global_position: string; chain_hash: Buffer }>(
            'SELECT transaction_id::text, global_position::text, chain_hash FROM log_chain WHERE seq = 6',
          )
        ).rows[0]!;
        await client.query('DELETE FROM events WHERE event_id IN (SELECT event_id FROM log_chain WHERE seq > 6)');
        await client.query('DELETE FROM log_chain WHERE seq > 6');
        await client.query('DELETE FROM log_seals WHERE seq > 6');
        await client.query('UPDATE log_sealer_state SET seq = 6, sealed_seq = 6, last_transaction_id = $1::xid8, last_position = $2, head = $3', [
          at6.transaction_id,
          at6.global_position,
          at6.chain_hash,
        ]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await appendChildren(kit, 6, 'Giả');
      await new LogSealer({ pool: kit.pool, key: keyA, everyEvents: 3, everyMs: 3_600_000 }).sealNow();

      // Both keys without a bound accept it: an unbounded key is trusted for any seq.
      const trustingBoth = await verifyLog(databaseLogSource(kit.owner), both);
      expect(trustingBoth.problems).toEqual([]);
      expect((await loadSeals(kit.owner)).map((s) => s.keyId)).toEqual([keyA.keyId, keyA.keyId, keyA.keyId, keyA.keyId]);
      // The kept checkpoint signed by the new key is gone: caught.
      const withKept = await verifyLog(databaseLogSource(kit.owner), both, { expected: [kept] });
      expect(withKept.ok).toBe(false);
      expect(withKept.problems[0]).toMatchObject({ kind: 'missing-checkpoint', seq: 9 });
      // The old key bounded to its last seq (A@6): every checkpoint A signed after 6 is refused.
      const withBound = await verifyLog(databaseLogSource(kit.owner), bounded);
      expect(withBound.ok).toBe(false);
      expect(withBound.problems).toEqual([
        { kind: 'signature', seq: 9, message: `checkpoint at seq 9 is signed by key ${keyA.keyId}, which was retired after seq 6` },
        { kind: 'signature', seq: 12, message: `checkpoint at seq 12 is signed by key ${keyA.keyId}, which was retired after seq 6` },
      ]);
      // So is a proof of a rewritten event: it carries A's checkpoint at 9.
      const forgedId = (await kit.owner.query<{ event_id: string }>('SELECT event_id::text FROM log_chain WHERE seq = 8')).rows[0]!.event_id;
      const forgedProof = await buildInclusionProof(kit.pool, forgedId);
      expect(verifyInclusionProof(forgedProof, both)).toEqual({ ok: true });
      expect(verifyInclusionProof(forgedProof, bounded)).toEqual({
        ok: false,
        reason: `checkpoint at seq 9 is signed by key ${keyA.keyId}, which was retired after seq 6`,
      });
      // An event from before the rotation still proves with the bounded key.
      const earlyId = (await kit.owner.query<{ event_id: string }>('SELECT event_id::text FROM log_chain WHERE seq = 5')).rows[0]!.event_id;
      expect(verifyInclusionProof(await buildInclusionProof(kit.pool, earlyId), bounded)).toEqual({ ok: true });
    } finally {
      await kit.teardown();
    }
  });

  it("an inclusion proof of an event sealed before the rotation carries the old key's checkpoint: verify-proof needs the old key", async () => {
    const kit = await trustTestKit();
    try {
      await appendChildren(kit, 3);
      await new LogSealer({ pool: kit.pool, key: keyA, everyEvents: 3, everyMs: 3_600_000 }).sealNow();
      await appendChildren(kit, 3);
      await new LogSealer({ pool: kit.pool, key: keyB, everyEvents: 3, everyMs: 3_600_000 }).sealNow();
      const ids = (await kit.owner.query<{ event_id: string }>('SELECT event_id::text FROM log_chain ORDER BY log_chain.seq')).rows.map((r) => r.event_id);
      const before = await buildInclusionProof(kit.pool, ids[1]!);
      const after = await buildInclusionProof(kit.pool, ids[4]!);
      expect([before.checkpoint.seq, before.checkpoint.keyId]).toEqual([3, keyA.keyId]);
      expect([after.checkpoint.seq, after.checkpoint.keyId]).toEqual([6, keyB.keyId]);
      expect(verifyInclusionProof(before, both)).toEqual({ ok: true });
      expect(verifyInclusionProof(after, both)).toEqual({ ok: true });
      expect(verifyInclusionProof(before, trustedSealKeys([keyB.publicKeyBase64])).ok).toBe(false);
      expect(verifyInclusionProof(after, trustedSealKeys([keyB.publicKeyBase64]))).toEqual({ ok: true });
      // The old key bounded to its last checkpoint (A@3) still proves the event sealed before the rotation.
      const bounded = trustedSealKeys([`${keyA.publicKeyBase64}@3`, keyB.publicKeyBase64]);
      expect(verifyInclusionProof(before, bounded)).toEqual({ ok: true });
      expect(verifyInclusionProof(after, bounded)).toEqual({ ok: true });
      // Bounded one seq too early, the same proof is refused, naming the retirement.
      expect(verifyInclusionProof(before, trustedSealKeys([`${keyA.publicKeyBase64}@2`]))).toEqual({
        ok: false,
        reason: `checkpoint at seq 3 is signed by key ${keyA.keyId}, which was retired after seq 2`,
      });
    } finally {
      await kit.teardown();
    }
  });
});
