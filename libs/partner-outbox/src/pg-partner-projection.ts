import { finished } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { withTransaction } from '@childledger/database';
import type {
  Checkpoint,
  EventStore,
  InTransaction,
  PoisonEventPolicy,
  PoisonLog,
  RecordedEvent,
  Subscription,
  SubscriptionStatusBoard,
} from '@childledger/event-store';
import { describeError, PgCheckpointStore, PoisonEventHandler, SubscriptionStoppingError } from '@childledger/event-store';
import { ChildRoute, InMemoryRoutingState, OutboxEntry, PartnerCloudEvent, PartnerProjector, SourceEvent } from '@childledger/partner-streams';
import type { OutboxSignal } from './pg-partner-feed';

export interface PartnerProjectionOptions {
  batchSize?: number;
  signal?: OutboxSignal;
  onError?(err: unknown): void;
  /** Tries of a failing event before it is dead-lettered (its stream parked), and their back-off. */
  poison?: Partial<PoisonEventPolicy>;
  /** Wait before restarting after a crash (a lost database, a bug); doubles up to 30 s. */
  restartDelayMs?: number;
  status?: SubscriptionStatusBoard;
  log?: PoisonLog;
}

export class CheckpointMovedError extends Error {
  constructor(name: string) {
    super(`${name}: the checkpoint moved under this projection (a late commit of a killed process, or a second instance); restarting from it`);
    this.name = 'CheckpointMovedError';
  }
}

export interface ProjectionHandle {
  caughtUp(): Promise<void>;
  /** Settles when the projection stops: resolves on stop(), rejects with a lasting error. */
  done: Promise<void>;
}

/**
 * Events per batch (one transaction) at most: a backfill of a new partner runs in batches this
 * large (a tenth of the round trips and commits of 500); a caught-up projection's batches are
 * whatever was appended since the last one.
 */
const DEFAULT_BATCH = 5000;

export const projectionName = (partnerId: string): string => `partner-outbox:${partnerId}`;

/**
 * One partner's projection: a subscription to the event store (its event types only) that writes
 * the partner's CloudEvents to `partner_outbox`, updates its routing state, blanks the personal
 * fields of erased children, and saves its checkpoint, all in one transaction. A crash anywhere
 * leaves both or neither, so the outbox is exactly the projection of the log up to the checkpoint.
 *
 * An event that keeps failing is dead-lettered after bounded tries and the later events of its
 * stream are parked behind it (`PoisonEventHandler`); any other stop (a lost database) restarts the
 * projection after a growing wait instead of ending it.
 */
export class PgPartnerProjection {
  private subscription: Subscription | null = null;
  private readonly checkpoints: PgCheckpointStore;
  readonly name: string;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly projector: PartnerProjector,
    private readonly options: PartnerProjectionOptions = {},
  ) {
    this.checkpoints = new PgCheckpointStore(pool);
    this.name = projectionName(projector.agreement.id);
  }

  get partnerId(): string {
    return this.projector.agreement.id;
  }

  private running: Promise<void> | null = null;
  private stopped = false;

  /**
   * Starts the projection. When the stored checkpoint moved under it (the backend of a killed
   * process committed late, or a second instance runs), it starts again from the stored
   * checkpoint: the transaction-level check guarantees nothing is written twice either way.
   */
  async start(): Promise<ProjectionHandle> {
    if (!this.running) {
      this.stopped = false;
      let resolveCaughtUp!: () => void;
      const caughtUp = new Promise<void>((r) => (resolveCaughtUp = r));
      this.running = this.run(resolveCaughtUp);
      this.running.catch((err: unknown) => this.options.onError?.(err));
      this.handle = { caughtUp: () => Promise.race([caughtUp, this.running!]), done: this.running };
    }
    return this.handle!;
  }

  private handle: ProjectionHandle | null = null;

  private poison?: PoisonEventHandler;

  private async run(caughtUp: () => void): Promise<void> {
    const poison = new PoisonEventHandler({
      subscription: this.name,
      pool: this.pool,
      store: this.store,
      policy: this.options.poison,
      parkStreams: true,
      propagate: (err) => err instanceof CheckpointMovedError,
      status: this.options.status,
      log: this.options.log,
    });
    this.poison = poison;
    let crashes = 0;
    while (!this.stopped) {
      let last = await this.checkpoints.load(this.name).catch(() => undefined);
      if (last === undefined) {
        crashes = await this.restartAfter(crashes, new Error('checkpoint unreadable'));
        continue;
      }
      const commit = async (events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction): Promise<void> => {
        await this.apply(events, last ?? null, to, extra);
        if (to !== null) last = to;
        this.options.signal?.committed(this.partnerId);
      };
      poison.start(commit);
      const sub = this.store.subscribe({
        name: this.name,
        after: last,
        filter: { eventTypes: this.projector.eventTypes },
        batchSize: this.options.batchSize ?? DEFAULT_BATCH,
        // A backfill's next page is read while a batch is written and committed (the read waited for the commit before).
        readAhead: true,
        handler: async (events, checkpoint) => {
          await poison.handle(events, checkpoint, commit);
          crashes = 0;
        },
      });
      this.subscription = sub;
      sub.caughtUp().then(caughtUp, () => undefined);
      try {
        await sub.done;
      } catch (err) {
        if (this.stopped || err instanceof SubscriptionStoppingError) break;
        this.options.onError?.(err);
        if (!(err instanceof CheckpointMovedError)) crashes = await this.restartAfter(crashes, err);
      } finally {
        this.subscription = null;
      }
    }
    poison.stop();
    this.options.status?.report(this.name, 'stopped');
  }

  /** Waits before a restart: the base delay, doubled per crash in a row, at most 30 s. */
  private async restartAfter(crashes: number, err: unknown): Promise<number> {
    this.options.status?.report(this.name, 'restarting', describeError(err));
    const delay = Math.min((this.options.restartDelayMs ?? 500) * 2 ** crashes, 30_000);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wakeRestart = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeRestart = undefined;
    return crashes + 1;
  }

  private wakeRestart?: () => void;

  async stop(): Promise<void> {
    this.stopped = true;
    this.poison?.stop();
    this.wakeRestart?.();
    await this.subscription?.stop();
    await this.running?.catch(() => undefined);
    this.running = null;
  }

  /**
   * One transaction: the partner's advisory lock, the checkpoint check (unless `to` is null: a
   * retried dead letter behind the checkpoint), the outbox rows and routing state, `extra` (dead
   * letters), the new checkpoint.
   */
  private async apply(events: SourceEvent[], expected: string | null, to: string | null, extra: InTransaction): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      // One writer per partner: a second instance of this projection waits here, then finds the
      // checkpoint moved and stops instead of writing the batch twice.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.name]);
      const current = await this.checkpoints.load(this.name, client);
      if (to !== null && current !== expected) throw new CheckpointMovedError(this.name);
      if (events.length > 0) {
        const state = await this.loadState(client, events);
        const erasedChildren = await this.projectIntoOutbox(client, events, state);
        await this.saveState(client, state);
        if (erasedChildren.length > 0) {
          await client.query(`UPDATE partner_outbox SET personal = NULL WHERE partner_id = $1 AND child_id = ANY($2::text[]) AND personal IS NOT NULL`, [
            this.partnerId,
            erasedChildren,
          ]);
        }
      }
      await extra(client);
      if (to !== null) await this.checkpoints.save(this.name, to, client);
    });
  }

  private async loadState(client: PoolClient, events: SourceEvent[]): Promise<InMemoryRoutingState> {
    const state = new InMemoryRoutingState();
    const caseIds = new Set<string>();
    const childIds = new Set<string>();
    for (const e of events) {
      if (typeof e.data['caseId'] === 'string') caseIds.add(e.data['caseId']);
      if (typeof e.data['childId'] === 'string') childIds.add(e.data['childId']);
    }
    if (caseIds.size > 0) {
      const res = await client.query<{ case_id: string; child_id: string }>(
        'SELECT case_id, child_id FROM partner_routing_cases WHERE partner_id = $1 AND case_id = ANY($2::text[])',
        [this.partnerId, [...caseIds]],
      );
      for (const r of res.rows) {
        state.cases.set(r.case_id, r.child_id);
        childIds.add(r.child_id);
      }
    }
    if (childIds.size > 0) {
      const res = await client.query<{ child_id: string; commune_code: string | null; erased: boolean; shared: boolean }>(
        'SELECT child_id, commune_code, erased, shared FROM partner_routing_children WHERE partner_id = $1 AND child_id = ANY($2::text[])',
        [this.partnerId, [...childIds]],
      );
      for (const r of res.rows) state.children.set(r.child_id, { communeCode: r.commune_code, erased: r.erased, shared: r.shared });
    }
    return state;
  }

  private async saveState(client: PoolClient, state: InMemoryRoutingState): Promise<void> {
    if (state.changedChildren.size > 0) {
      const ids = [...state.changedChildren];
      const routes = ids.map((id) => state.children.get(id) as ChildRoute);
      // Typed column arrays: no JSON document of the batch to build and take apart again.
      await client.query(
        `INSERT INTO partner_routing_children (partner_id, child_id, commune_code, erased, shared)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::boolean[], $5::boolean[])
         ON CONFLICT (partner_id, child_id) DO UPDATE SET commune_code = excluded.commune_code, erased = excluded.erased, shared = excluded.shared`,
        [this.partnerId, ids, routes.map((r) => r.communeCode), routes.map((r) => r.erased), routes.map((r) => r.shared)],
      );
    }
    if (state.changedCases.size > 0) {
      const ids = [...state.changedCases];
      await client.query(
        `INSERT INTO partner_routing_cases (partner_id, case_id, child_id)
         SELECT $1, * FROM unnest($2::text[], $3::text[])
         ON CONFLICT (partner_id, case_id) DO UPDATE SET child_id = excluded.child_id`,
        [this.partnerId, ids, ids.map((id) => state.cases.get(id))],
      );
    }
  }

  /**
   * Projects the events and appends their entries in order with `COPY … FROM STDIN` (the sequence
   * numbers them as they come): PostgreSQL parses each event once, instead of one JSON array of
   * the whole batch taken apart again row by row. The COPY is opened first and the batch projected
   * a chunk of events at a time, each chunk's lines written as soon as they are made, so that
   * PostgreSQL parses and inserts one chunk while Node projects the next (a backfill's two largest
   * costs, one after the other before). The projector goes through the events in order with the
   * same state however they are chunked. A failure while projecting abandons the COPY (CopyFail)
   * and the transaction with it. Returns the children erased in the batch.
   */
  private async projectIntoOutbox(client: PoolClient, events: SourceEvent[], state: InMemoryRoutingState): Promise<string[]> {
    const erasedChildren: string[] = [];
    const stream = client.query(copyFrom('COPY partner_outbox (partner_id, child_id, event_id, event, personal, traceparent) FROM STDIN'));
    const done = finished(stream);
    await Promise.race([copyAccepted(stream), done]);
    try {
      for (let i = 0; i < events.length; i += PROJECT_CHUNK) {
        const result = this.projector.project(events.slice(i, i + PROJECT_CHUNK), state);
        erasedChildren.push(...result.erasedChildren);
        if (result.entries.length > 0) stream.write(Buffer.from(this.copyLines(result.entries), 'utf8'));
      }
    } catch (err) {
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
      await done.catch(() => undefined);
      throw err;
    }
    stream.end();
    await done;
    return erasedChildren;
  }

  /** The entries as lines of COPY's text format (personal fields in their own column). */
  private copyLines(entries: OutboxEntry[]): string {
    const partner = copyText(this.partnerId);
    let text = '';
    for (const { childId, event, traceparent } of entries) {
      const data = event.data;
      let personal: unknown = null;
      let served: PartnerCloudEvent = event;
      if (data !== null && 'personal' in data) {
        const { personal: p, ...rest } = data;
        personal = p ?? null;
        served = { ...event, data: rest };
      }
      const trace = traceparent === undefined ? '\\N' : copyText(traceparent);
      text += `${partner}\t${copyText(childId)}\t${copyText(event.id)}\t${copyJson(served)}\t${personal === null ? '\\N' : copyJson(personal)}\t${trace}\n`;
    }
    return text;
  }
}

/**
 * Resolves once PostgreSQL has accepted the COPY (its CopyInResponse): lines written after that go
 * to the socket at once, so the server parses them while Node makes the next ones (written before,
 * they would wait in the stream's buffer until Node next yields).
 */
function copyAccepted(stream: ReturnType<typeof copyFrom>): Promise<void> {
  const accepting = stream as unknown as { handleCopyInResponse(connection: unknown): void };
  return new Promise<void>((resolve) => {
    const handle = accepting.handleCopyInResponse.bind(stream);
    accepting.handleCopyInResponse = (connection) => {
      handle(connection);
      resolve();
    };
  });
}

/** Events projected, and their lines written to the COPY, at a time. */
const PROJECT_CHUNK = 500;

const COPY_SPECIAL = /[\\\n\r\t]/;
/** A text field of COPY's text format: backslash, tab, CR and LF escaped. */
function copyText(text: string): string {
  return COPY_SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c) : text;
}

/** A jsonb field of COPY's text format: JSON.stringify escapes control characters itself, so only its backslashes are doubled. */
function copyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}
