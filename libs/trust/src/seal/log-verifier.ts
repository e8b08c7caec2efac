import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Pool } from 'pg';
import { chainStep, eventDigest, GENESIS, STORED_ROW_SQL, StoredEventRow } from './canonical';
import { SealedCheckpoint, TrustedSealKeys, verifySealSignature } from './seal-key';

/** What the sealer recorded for chain position `seq`. Digests and hashes in hex. */
export interface ChainEntry {
  seq: number;
  position: string;
  transactionId: string;
  eventId: string;
  digest: string;
  hash: string;
}

/** The n-th stored event in the global order beside the n-th chain entry (either may be missing). */
export interface LogEntry {
  row?: StoredEventRow;
  chain?: ChainEntry;
}

export interface LogSource {
  entries(): AsyncIterable<LogEntry>;
  seals(): Promise<SealedCheckpoint[]>;
}

export type ProblemKind = 'signature' | 'order' | 'content' | 'chain-table' | 'checkpoint' | 'missing-checkpoint';

export interface Problem {
  kind: ProblemKind;
  /** Chain position (1 = first event of the log). */
  seq?: number;
  /** Global position of the event (the `events.global_position` column). */
  position?: string;
  eventId?: string;
  message: string;
}

export interface VerificationReport {
  ok: boolean;
  /** Events read from the log. */
  events: number;
  /** Events covered by a checkpoint whose signature and head were verified. */
  sealed: number;
  checkpoints: number;
  /** Events newer than the last checkpoint (checked against the chain table only, or not yet chained). */
  unsealed: number;
  /** The first thing that differs; verification stops there. Signature problems are listed whatever their order. */
  problems: Problem[];
}

export interface VerifyOptions {
  /** Checkpoints the inspector kept from earlier runs: each must still be in the log, with the same head. */
  expected?: SealedCheckpoint[];
}

/**
 * Recomputes the chain from the stored events and compares, event by event, with the chain the
 * sealer recorded and with every signed checkpoint. The checkpoints (signed by a trusted key)
 * are the anchor: rewriting events and chain table together is still caught at the next
 * checkpoint; the chain table only lets the report name the exact event.
 */
export async function verifyLog(source: LogSource, keys: TrustedSealKeys, options: VerifyOptions = {}): Promise<VerificationReport> {
  const problems: Problem[] = [];
  const seals = (await source.seals()).sort((a, b) => a.seq - b.seq);
  const bySeq = new Map<number, SealedCheckpoint>();
  for (const s of seals) {
    const sig = verifySealSignature(s, keys);
    if (!sig.ok) problems.push({ kind: 'signature', seq: s.seq, message: sig.reason });
    bySeq.set(s.seq, s);
  }
  for (const e of options.expected ?? []) {
    const s = bySeq.get(e.seq);
    if (!s || s.head !== e.head)
      problems.push({
        kind: 'missing-checkpoint',
        seq: e.seq,
        message: `the checkpoint at seq ${e.seq} that was kept (head ${e.head.slice(0, 16)}…) is not in the log`,
      });
  }
  let head: Buffer = GENESIS;
  let seq = 0;
  let events = 0;
  let sealed = 0;
  let lastSealSeq = 0;
  for await (const { row, chain } of source.entries()) {
    seq++;
    if (row) events++;
    if (!row) {
      if (!chain) continue;
      problems.push({
        kind: 'order',
        seq,
        position: chain.position,
        eventId: chain.eventId,
        message: `seq ${seq}: event ${chain.eventId} (position ${chain.position}) was chained but is no longer in the log (deleted)`,
      });
      break;
    }
    if (row && chain && (row.position !== chain.position || row.eventId !== chain.eventId || chain.seq !== seq)) {
      problems.push({
        kind: 'order',
        seq,
        position: chain.position,
        eventId: chain.eventId,
        message: `seq ${seq}: the log has event ${row.eventId} (position ${row.position}) where event ${chain.eventId} (position ${chain.position}) was chained: an event was deleted, inserted or moved`,
      });
      break;
    }
    const d = eventDigest(row);
    head = chainStep(head, d);
    if (chain && chain.digest !== d.toString('hex')) {
      problems.push({
        kind: 'content',
        seq,
        position: row.position,
        eventId: row.eventId,
        message: `seq ${seq}: event ${row.eventId} (position ${row.position}) differs from the event that was chained: it was altered`,
      });
      break;
    }
    if (chain && chain.hash !== head.toString('hex')) {
      problems.push({
        kind: 'chain-table',
        seq,
        position: row.position,
        eventId: row.eventId,
        message: `seq ${seq}: the recorded chain hash differs from the recomputed one: the chain table was altered`,
      });
      break;
    }
    const seal = bySeq.get(seq);
    if (seal) {
      if (seal.head !== head.toString('hex')) {
        problems.push({
          kind: 'checkpoint',
          seq,
          position: row.position,
          message: `checkpoint at seq ${seq} (sealed ${seal.sealedAt}) does not match the log: an event between seq ${lastSealSeq + 1} and ${seq} (positions up to ${row.position}) was altered, removed or moved`,
        });
        break;
      }
      lastSealSeq = seq;
      sealed = seq;
    }
  }
  const stoppedEarly = problems.some((p) => p.kind !== 'signature' && p.kind !== 'missing-checkpoint');
  if (!stoppedEarly) {
    for (const s of seals) {
      if (s.seq > seq) {
        problems.push({
          kind: 'checkpoint',
          seq: s.seq,
          message: `checkpoint at seq ${s.seq} covers more events than the log holds (${seq}): events at the end were removed`,
        });
        break;
      }
    }
  }
  problems.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return { ok: problems.length === 0, events, sealed, checkpoints: seals.length, unsealed: stoppedEarly ? 0 : events - sealed, problems };
}

// ---- sources ------------------------------------------------------------------------------

interface ChainRow {
  seq: string;
  position: string;
  transaction_id: string;
  event_id: string;
  event_digest: Buffer;
  chain_hash: Buffer;
}

const PAGE = 2000;

async function* pagedEvents(pool: Pool): AsyncIterable<StoredEventRow> {
  let after = { tx: '0', pos: '0' };
  for (;;) {
    const { rows } = await pool.query<StoredEventRow>(
      `SELECT ${STORED_ROW_SQL} FROM events
        WHERE (events.transaction_id, events.global_position) > ($1::xid8, $2::bigint)
          AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id, events.global_position LIMIT ${PAGE}`,
      [after.tx, after.pos],
    );
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { tx: last.transactionId, pos: last.position };
  }
}

async function* pagedChain(pool: Pool): AsyncIterable<ChainEntry> {
  let after = 0;
  for (;;) {
    const { rows } = await pool.query<ChainRow>(
      `SELECT seq::text, global_position::text AS position, transaction_id::text, event_id::text, event_digest, chain_hash
         FROM log_chain WHERE log_chain.seq > $1 ORDER BY log_chain.seq LIMIT ${PAGE}`,
      [after],
    );
    for (const r of rows) {
      yield {
        seq: Number(r.seq),
        position: r.position,
        transactionId: r.transaction_id,
        eventId: r.event_id,
        digest: r.event_digest.toString('hex'),
        hash: r.chain_hash.toString('hex'),
      };
    }
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

async function* zip(a: AsyncIterable<StoredEventRow>, b: AsyncIterable<ChainEntry>): AsyncIterable<LogEntry> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  for (;;) {
    const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
    if (ra.done && rb.done) return;
    yield { row: ra.done ? undefined : ra.value, chain: rb.done ? undefined : rb.value };
  }
}

export async function loadSeals(pool: Pool): Promise<SealedCheckpoint[]> {
  const { rows } = await pool.query<{ seq: string; chain_head: Buffer; position: string; sealed_at: string; key_id: string; signature: Buffer }>(
    'SELECT seq::text, chain_head, position, sealed_at, key_id, signature FROM log_seals ORDER BY log_seals.seq',
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    head: r.chain_head.toString('hex'),
    position: r.position,
    sealedAt: r.sealed_at,
    keyId: r.key_id,
    signature: r.signature.toString('base64'),
  }));
}

/** The log as stored in PostgreSQL (any role that may read `events`, `log_chain` and `log_seals`). */
export function databaseLogSource(pool: Pool): LogSource {
  return { entries: () => zip(pagedEvents(pool), pagedChain(pool)), seals: () => loadSeals(pool) };
}

export const EXPORT_FORMAT = 'childledger-log-export';

/**
 * Writes the log to a JSON-lines file: a header, then one line per chain position
 * (`{"kind":"entry","row":{stored event}|null,"chain":{…}|null}`), then one line per checkpoint
 * and per public key. Personal data stays encrypted in it, but it holds every non-personal field:
 * keep it as confidential as the database.
 */
export async function exportLog(pool: Pool, file: string): Promise<{ entries: number; checkpoints: number }> {
  const out = createWriteStream(file, { mode: 0o600 });
  const write = async (line: unknown) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  await write({ kind: 'header', format: EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString() });
  let entries = 0;
  for await (const e of zip(pagedEvents(pool), pagedChain(pool))) {
    await write({ kind: 'entry', row: e.row ?? null, chain: e.chain ?? null });
    entries++;
  }
  const seals = await loadSeals(pool);
  for (const s of seals) await write({ kind: 'checkpoint', ...s });
  const keys = await pool.query<{ key_id: string; public_key: Buffer }>('SELECT key_id, public_key FROM log_seal_keys ORDER BY first_used_at');
  for (const k of keys.rows) await write({ kind: 'key', keyId: k.key_id, publicKey: k.public_key.toString('base64') });
  out.end();
  await once(out, 'finish');
  return { entries, checkpoints: seals.length };
}

/** An export file as a log source. The keys listed in the file are informative only: trust comes from the caller. */
export function fileLogSource(file: string): LogSource & { publishedKeys(): Promise<string[]> } {
  async function* lines(): AsyncIterable<Record<string, unknown>> {
    const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let first = true;
    let n = 0;
    for await (const line of rl) {
      n++;
      if (line.trim() === '') continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${file}:${n}: not JSON`);
      }
      if (first) {
        if (parsed.kind !== 'header' || parsed.format !== EXPORT_FORMAT) throw new Error(`${file} is not a ChildLedger log export`);
        first = false;
        continue;
      }
      yield parsed;
    }
  }
  return {
    async *entries() {
      for await (const l of lines()) {
        if (l.kind === 'entry') yield { row: (l.row as StoredEventRow | null) ?? undefined, chain: (l.chain as ChainEntry | null) ?? undefined };
      }
    },
    async seals() {
      const out: SealedCheckpoint[] = [];
      for await (const l of lines()) {
        if (l.kind === 'checkpoint') {
          const { kind: _k, ...c } = l;
          out.push(c as unknown as SealedCheckpoint);
        }
      }
      return out;
    },
    async publishedKeys() {
      const out: string[] = [];
      for await (const l of lines()) if (l.kind === 'key') out.push(String(l.publicKey));
      return out;
    },
  };
}
