import { BadRequestException, Controller, Get, GoneException, Header, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { FeedPageDto } from './gateway.dto';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { SpanKind } from '@opentelemetry/api';
import { inLinkedSpan, Public, traceparentLinks } from '@childledger/platform';
import { CursorPrunedError, decodeCursor, encodeCursor, InvalidCursorError, PartnerCloudEvent, retentionDaysOf } from '@childledger/partner-streams';
import type { RawFeedPage } from '@childledger/partner-outbox';
import { PartnerGuard, PartnerThrottlerGuard } from './partner.guard';
import { PartnerStreamsService } from './partner-streams.service';
import { FeedStreams } from './feed-streams';
import { deliveryAttributes } from './traced-partner-sink';

export const MAX_FEED_LIMIT = 1000;
/** Outbox rows an SSE stream reads at a time: with back-pressure, at most one such page per stream is held beyond the socket's buffers. */
export const SSE_PAGE_SIZE = 500;

export class FeedQueryDto {
  /** Opaque cursor from a previous page's `next` (or an SSE event id); absent: from the start. */
  @ApiPropertyOptional({ description: "opaque cursor: a previous page's `next` or an SSE event id; absent: from the oldest event retained", maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
  @ApiPropertyOptional({ description: 'events per page', minimum: 1, maximum: MAX_FEED_LIMIT, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_FEED_LIMIT)
  limit?: number;
}

export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'opaque cursor to resume after (the Last-Event-ID header does the same)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
}

export interface FeedPageBody {
  events: PartnerCloudEvent[];
  /** Pass as `after` to read on. */
  next: string;
}

/** The sequence to read after; `null` (no cursor): from the oldest event the outbox retains. */
function cursorOrThrow(partnerId: string, cursor: string | undefined): bigint | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    return decodeCursor(partnerId, cursor);
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new BadRequestException(err.message);
    throw err;
  }
}

/** 410 for a cursor older than what the partner's outbox retains: names `after`, gives the oldest available cursor. */
function goneOrRethrow(err: unknown, retentionDays: number | undefined): never {
  if (!(err instanceof CursorPrunedError)) throw err;
  throw new GoneException({
    statusCode: 410,
    error: 'Gone',
    message: `${err.message}${retentionDays ? `; this feed retains ${retentionDays} days` : ''}. Events between your cursor and the oldest available one can no longer be replayed from this feed.`,
    field: 'after',
    oldestCursor: err.oldestCursor,
  });
}

/** Partner feeds: pages from any cursor (the start included) and a Server-Sent Events tail of the same stream. */
@ApiTags('partner feeds')
@ApiBearerAuth()
@Public() // not a user route: the partner guard authenticates instead
@UseGuards(PartnerGuard, PartnerThrottlerGuard)
@Controller('feeds/:partner')
export class FeedController {
  constructor(
    private readonly streams: PartnerStreamsService,
    private readonly limits: FeedStreams,
  ) {}

  @Get('events')
  @ApiOperation({ summary: "A page of the partner's CloudEvents after a cursor, in order" })
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiOkResponse({ type: FeedPageDto })
  async events(@Param('partner') partnerId: string, @Query() q: FeedQueryDto): Promise<string> {
    const after = cursorOrThrow(partnerId, q.after);
    // The events are JSON text from PostgreSQL: joined, not parsed and serialised again (FeedPageBody).
    const page = await this.streams.feed.pageRaw(partnerId, after, q.limit ?? 100).catch((err: unknown) => goneOrRethrow(err, this.retentionDays(partnerId)));
    // An empty page repeats the cursor (none given: the start of what is retained, which is 0 until something is pruned).
    const last = page.sequences[page.sequences.length - 1] ?? after ?? 0n;
    return delivered(partnerId, 'http', page, async () => `{"events":[${page.json.join(',')}],"next":${JSON.stringify(encodeCursor(partnerId, last))}}`);
  }

  @Get('stream')
  @ApiOperation({ summary: 'Server-Sent Events: the same stream, live; each event id is a cursor (Last-Event-ID resumes)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'One SSE event per CloudEvent (`id:` its cursor, `data:` the event as JSON, PartnerCloudEventDto), and a comment line as heartbeat',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiTooManyRequestsResponse({
    description: 'Over the open-stream caps (rule TOO_MANY_STREAMS per partner, GATEWAY_STREAMS_FULL per gateway process), with Retry-After',
  })
  async stream(
    @Param('partner') partnerId: string,
    @Query() q: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let after = cursorOrThrow(partnerId, lastEventId ?? q.after);
    // Over a cap: 429 naming the rule, with Retry-After. The slot is given back when the connection
    // closes (client gone, write timeout, server error) or the handler returns, whichever is first.
    const slot = this.limits.acquire(partnerId, res);
    const closed = new AbortController();
    const onClose = () => {
      closed.abort();
      slot.release();
    };
    res.on('close', onClose);
    req.on('close', onClose);
    try {
      // A pruned cursor is refused before the stream starts (410); the first page is read again in the loop.
      let first: RawFeedPage | null = await this.streams.feed
        .pageRaw(partnerId, after, SSE_PAGE_SIZE)
        .catch((err: unknown) => goneOrRethrow(err, this.retentionDays(partnerId)));
      this.limits.pageRead(partnerId);
      if (closed.signal.aborted) return;
      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.flushHeaders();
      const heartbeatMs = this.streams.options.heartbeatMs ?? 15_000;
      let lastWrite = Date.now();
      while (!closed.signal.aborted) {
        let page = first;
        first = null;
        if (!page) {
          try {
            page = await this.streams.feed.pageRaw(partnerId, after, SSE_PAGE_SIZE);
            this.limits.pageRead(partnerId);
          } catch (err) {
            // Pruned under a consumer too slow to keep up with retention: end the stream; reconnecting gets the 410.
            if (err instanceof CursorPrunedError) break;
            throw err;
          }
        }
        if (closed.signal.aborted) break;
        if (page.json.length > 0) {
          const chunks = page.json.map((e, i) => `id: ${encodeCursor(partnerId, page.sequences[i]!)}\nevent: cloudevent\ndata: ${e}\n\n`);
          // Back-pressure: no next page before the socket has drained this one (or the write timeout disconnects the client).
          const outcome = await delivered(partnerId, 'sse', page, () => this.limits.write(partnerId, res, chunks.join(''), chunks.length, closed.signal));
          after = page.sequences[page.sequences.length - 1]!;
          lastWrite = Date.now();
          if (outcome !== 'drained') break;
          continue;
        }
        if (Date.now() - lastWrite >= heartbeatMs) {
          if ((await this.limits.write(partnerId, res, ': keep-alive\n\n', 0, closed.signal)) !== 'drained') break;
          lastWrite = Date.now();
        }
        await this.streams.feed.wait(partnerId, Math.min(heartbeatMs, 1000), closed.signal);
      }
      if (!res.destroyed) res.end();
    } finally {
      slot.release();
      res.off('close', onClose);
      req.off('close', onClose);
    }
  }

  private retentionDays(partnerId: string): number | undefined {
    const record = this.streams.partner(partnerId);
    return record ? retentionDaysOf(record.agreement) : undefined;
  }
}

/**
 * A page handed to a partner, in a producer span (`partner feed <partner>`, a child of the request)
 * linked to the commands behind its events (the outbox's `traceparent` of each), so a command's
 * trace leads to the feed page that delivered it. Only an event-bearing page gets a span.
 */
function delivered<T>(partnerId: string, channel: 'http' | 'sse', page: RawFeedPage, write: () => Promise<T>): Promise<T> {
  if (page.json.length === 0) return write();
  return inLinkedSpan(
    `partner feed ${partnerId}`,
    { kind: SpanKind.PRODUCER, links: traceparentLinks(page.traceparents), attributes: deliveryAttributes(partnerId, channel, page.sequences) },
    write,
  );
}
