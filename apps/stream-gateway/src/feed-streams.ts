import { once } from 'node:events';
import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Counter, Gauge, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@childledger/platform';
import { STREAM_GATEWAY_OPTIONS, StreamGatewayOptions } from './partner-streams.service';

/** Concurrent SSE streams one partner may hold open on one gateway process (PARTNER_SSE_MAX_STREAMS_PER_PARTNER). */
export const DEFAULT_MAX_STREAMS_PER_PARTNER = 3;
/** Concurrent SSE streams one gateway process serves, all partners together (PARTNER_SSE_MAX_STREAMS). */
export const DEFAULT_MAX_STREAMS = 200;
/**
 * How long a stream may wait for its client to drain what the socket holds (PARTNER_SSE_WRITE_TIMEOUT_SECONDS):
 * a client that reads nothing for this long is disconnected, so a stuck reader holds neither a
 * connection slot nor memory for ever. It resumes from its last event id.
 */
export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;
/** Retry-After (seconds) of a 429 refusing a stream over a cap. */
export const STREAM_RETRY_AFTER_SECONDS = 10;

export type StreamRefusal = 'TOO_MANY_STREAMS' | 'GATEWAY_STREAMS_FULL';

/** One open stream's slot: `release()` is idempotent (called on close and when the handler returns, whichever is first). */
export interface StreamSlot {
  release(): void;
}

/** How a wait for `drain` ended. */
export type DrainOutcome = 'drained' | 'closed' | 'timeout';

/**
 * The SSE streams of this process: caps on concurrent streams (per partner and in total), the
 * write timeout, and their metrics (`childledger_partner_sse_*`).
 */
@Injectable()
export class FeedStreams {
  private readonly log = new Logger('PartnerFeedStreams');
  private readonly open = new Map<string, number>();
  private total = 0;
  readonly maxPerPartner: number;
  readonly maxTotal: number;
  readonly writeTimeoutMs: number;
  private readonly openGauge: Gauge<'partner'>;
  private readonly refused: Counter<'partner' | 'rule'>;
  private readonly timeouts: Counter<'partner'>;
  private readonly eventsWritten: Counter<'partner'>;
  private readonly bytesWritten: Counter<'partner'>;
  private readonly pagesRead: Counter<'partner'>;

  constructor(@Inject(STREAM_GATEWAY_OPTIONS) options: StreamGatewayOptions, @Inject(METRICS_REGISTRY) registry: Registry) {
    this.maxPerPartner = options.maxStreamsPerPartner ?? DEFAULT_MAX_STREAMS_PER_PARTNER;
    this.maxTotal = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    const metric = <M extends Counter<string> | Gauge<string>>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
    this.openGauge = metric(
      'childledger_partner_sse_streams',
      () => new Gauge({ name: 'childledger_partner_sse_streams', help: 'SSE streams open on this process', labelNames: ['partner'], registers: [registry] }),
    );
    this.refused = metric(
      'childledger_partner_sse_refused_total',
      () =>
        new Counter({
          name: 'childledger_partner_sse_refused_total',
          help: 'SSE streams refused with 429 (rule TOO_MANY_STREAMS: the partner is at its cap; GATEWAY_STREAMS_FULL: this process is)',
          labelNames: ['partner', 'rule'],
          registers: [registry],
        }),
    );
    this.timeouts = metric(
      'childledger_partner_sse_write_timeouts_total',
      () =>
        new Counter({
          name: 'childledger_partner_sse_write_timeouts_total',
          help: 'SSE streams disconnected because the client did not drain its socket within the write timeout',
          labelNames: ['partner'],
          registers: [registry],
        }),
    );
    this.eventsWritten = metric(
      'childledger_partner_sse_events_written_total',
      () =>
        new Counter({
          name: 'childledger_partner_sse_events_written_total',
          help: 'Events handed to SSE sockets (accepted by the socket, not necessarily read by the client yet)',
          labelNames: ['partner'],
          registers: [registry],
        }),
    );
    this.bytesWritten = metric(
      'childledger_partner_sse_bytes_written_total',
      () =>
        new Counter({
          name: 'childledger_partner_sse_bytes_written_total',
          help: 'Bytes handed to SSE sockets (events and keep-alives)',
          labelNames: ['partner'],
          registers: [registry],
        }),
    );
    this.pagesRead = metric(
      'childledger_partner_sse_pages_read_total',
      () =>
        new Counter({
          name: 'childledger_partner_sse_pages_read_total',
          help: 'Outbox pages read by SSE streams (empty ones included)',
          labelNames: ['partner'],
          registers: [registry],
        }),
    );
  }

  /** Takes a slot for a new stream of the partner, or throws a 429 naming the rule (with Retry-After set on `res`). */
  acquire(partnerId: string, res: Response): StreamSlot {
    const mine = this.open.get(partnerId) ?? 0;
    let refusal: { rule: StreamRefusal; field: string; message: string } | null = null;
    if (mine >= this.maxPerPartner) refusal = { rule: 'TOO_MANY_STREAMS', field: 'partner', message: `at most ${this.maxPerPartner} open feeds per partner` };
    else if (this.total >= this.maxTotal)
      refusal = { rule: 'GATEWAY_STREAMS_FULL', field: 'stream', message: `this gateway serves at most ${this.maxTotal} open feeds; retry later` };
    if (refusal) {
      this.refused.inc({ partner: partnerId, rule: refusal.rule });
      res.setHeader('retry-after', String(STREAM_RETRY_AFTER_SECONDS));
      throw new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          error: 'Too Many Requests',
          message: refusal.message,
          field: refusal.field,
          rule: refusal.rule,
          errors: [refusal],
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.open.set(partnerId, mine + 1);
    this.total++;
    this.openGauge.inc({ partner: partnerId });
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const n = (this.open.get(partnerId) ?? 1) - 1;
        if (n > 0) this.open.set(partnerId, n);
        else this.open.delete(partnerId);
        this.total--;
        this.openGauge.dec({ partner: partnerId });
      },
    };
  }

  /** Open streams of a partner, or of the process (tests, metrics). */
  openStreams(partnerId?: string): number {
    return partnerId === undefined ? this.total : (this.open.get(partnerId) ?? 0);
  }

  /**
   * Writes `chunk`; when the socket's buffer is full (`write` returned false), waits for `drain`,
   * for the connection to close, or for the write timeout, whichever comes first. On a timeout the
   * connection is destroyed (logged and counted). The caller reads no further page before this
   * resolves, so a stream holds at most one page beyond what the socket buffers.
   */
  async write(partnerId: string, res: Response, chunk: string, events: number, closed: AbortSignal): Promise<DrainOutcome> {
    const ok = res.write(chunk);
    this.bytesWritten.inc({ partner: partnerId }, Buffer.byteLength(chunk));
    if (events > 0) this.eventsWritten.inc({ partner: partnerId }, events);
    if (ok) return 'drained';
    return this.drain(partnerId, res, closed);
  }

  pageRead(partnerId: string): void {
    this.pagesRead.inc({ partner: partnerId });
  }

  private async drain(partnerId: string, res: Response, closed: AbortSignal): Promise<DrainOutcome> {
    if (closed.aborted) return 'closed';
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onClose = () => stop.abort();
    closed.addEventListener('abort', onClose, { once: true });
    try {
      const outcome = await Promise.race([
        once(res, 'drain', { signal: stop.signal }).then(
          () => 'drained' as const,
          () => 'closed' as const,
        ),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.writeTimeoutMs))),
      ]);
      if (outcome !== 'timeout') return closed.aborted ? 'closed' : outcome;
      this.timeouts.inc({ partner: partnerId });
      this.log.warn(
        { partner: partnerId, writeTimeoutMs: this.writeTimeoutMs, bufferedBytes: res.writableLength },
        'partner SSE client did not drain its socket within the write timeout: disconnected',
      );
      res.destroy();
      return 'timeout';
    } finally {
      clearTimeout(timer);
      stop.abort();
      closed.removeEventListener('abort', onClose);
    }
  }
}
