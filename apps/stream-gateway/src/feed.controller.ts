import { BadRequestException, Controller, Get, GoneException, Header, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { Public } from '@childledger/platform';
import { CursorPrunedError, decodeCursor, encodeCursor, InvalidCursorError, PartnerCloudEvent, retentionDaysOf } from '@childledger/partner-streams';
import type { RawFeedPage } from '@childledger/partner-outbox';
import { PartnerGuard, PartnerThrottlerGuard } from './partner.guard';
import { PartnerStreamsService } from './partner-streams.service';

export const MAX_FEED_LIMIT = 1000;

export class FeedQueryDto {
  /** Opaque cursor from a previous page's `next` (or an SSE event id); absent: from the start. */
  @IsOptional() @IsString() @MaxLength(200) after?: string;
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be an integer' }) @Min(1) @Max(MAX_FEED_LIMIT) limit?: number;
}

export class StreamQueryDto {
  @IsOptional() @IsString() @MaxLength(200) after?: string;
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
  constructor(private readonly streams: PartnerStreamsService) {}

  @Get('events')
  @ApiOperation({ summary: "A page of the partner's CloudEvents after a cursor, in order" })
  @Header('content-type', 'application/json; charset=utf-8')
  async events(@Param('partner') partnerId: string, @Query() q: FeedQueryDto): Promise<string> {
    const after = cursorOrThrow(partnerId, q.after);
    // The events are JSON text from PostgreSQL: joined, not parsed and serialised again (FeedPageBody).
    const page = await this.streams.feed.pageRaw(partnerId, after, q.limit ?? 100).catch((err: unknown) => goneOrRethrow(err, this.retentionDays(partnerId)));
    // An empty page repeats the cursor (none given: the start of what is retained, which is 0 until something is pruned).
    const last = page.sequences[page.sequences.length - 1] ?? after ?? 0n;
    return `{"events":[${page.json.join(',')}],"next":${JSON.stringify(encodeCursor(partnerId, last))}}`;
  }

  @Get('stream')
  @ApiOperation({ summary: 'Server-Sent Events: the same stream, live; each event id is a cursor (Last-Event-ID resumes)' })
  async stream(
    @Param('partner') partnerId: string,
    @Query() q: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let after = cursorOrThrow(partnerId, lastEventId ?? q.after);
    // A pruned cursor is refused before the stream starts (410); the first page is read again in the loop.
    let first: RawFeedPage | null = await this.streams.feed
      .pageRaw(partnerId, after, 500)
      .catch((err: unknown) => goneOrRethrow(err, this.retentionDays(partnerId)));
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    const heartbeatMs = this.streams.options.heartbeatMs ?? 15_000;
    let lastWrite = Date.now();
    while (!abort.signal.aborted) {
      let page = first;
      first = null;
      if (!page) {
        try {
          page = await this.streams.feed.pageRaw(partnerId, after, 500);
        } catch (err) {
          // Pruned under a consumer too slow to keep up with retention: end the stream; reconnecting gets the 410.
          if (err instanceof CursorPrunedError) break;
          throw err;
        }
      }
      if (page.json.length > 0) {
        const chunks = page.json.map((e, i) => `id: ${encodeCursor(partnerId, page.sequences[i]!)}\nevent: cloudevent\ndata: ${e}\n\n`);
        res.write(chunks.join(''));
        after = page.sequences[page.sequences.length - 1]!;
        lastWrite = Date.now();
        continue;
      }
      if (Date.now() - lastWrite >= heartbeatMs) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await this.streams.feed.wait(partnerId, Math.min(heartbeatMs, 1000), abort.signal);
    }
    res.end();
  }

  private retentionDays(partnerId: string): number | undefined {
    const record = this.streams.partner(partnerId);
    return record ? retentionDaysOf(record.agreement) : undefined;
  }
}
