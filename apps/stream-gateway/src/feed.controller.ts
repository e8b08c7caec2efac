import { BadRequestException, Controller, Get, Header, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { Public } from '@childledger/platform';
import { decodeCursor, encodeCursor, InvalidCursorError, PartnerCloudEvent } from '@childledger/partner-streams';
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

function cursorOrThrow(partnerId: string, cursor: string | undefined): bigint {
  try {
    return decodeCursor(partnerId, cursor);
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new BadRequestException(err.message);
    throw err;
  }
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
    const page = await this.streams.feed.pageRaw(partnerId, after, q.limit ?? 100);
    const last = page.sequences[page.sequences.length - 1] ?? after;
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
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    const heartbeatMs = this.streams.options.heartbeatMs ?? 15_000;
    let lastWrite = Date.now();
    while (!abort.signal.aborted) {
      const page = await this.streams.feed.pageRaw(partnerId, after, 500);
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
}
