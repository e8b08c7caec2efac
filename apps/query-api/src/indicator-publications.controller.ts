import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, OnModuleInit, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import { IndicatorPublications, Publication } from '@childledger/read-models';
import { CASE_ROLES, REFERENCE_DATA_ROLES } from './access';
import { IndicatorsController } from './indicators.controller';
import { PublicationDto, PublicationPageDto, PublicationSummaryDto, PublishIndicatorsDto, RecomputeDto } from './indicator-publications.dto';
import { decodeCursor, INSTANT, page, pageLimit } from './keyset';
import { inReplaySlot } from './replay-slot';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const QUERY_FIELDS = ['unit', 'period', 'series', 'from', 'to', 'unitsOn', 'by'] as const;

const bad = (field: string, rule: string, message: string) => new BadRequestException({ message, field, rule });
const notFound = () => new NotFoundException({ message: 'no publication with this id in your jurisdiction', field: 'id', rule: 'PUBLICATION_NOT_FOUND' });

function summary(p: Publication): PublicationSummaryDto {
  return {
    id: p.id,
    title: p.title,
    note: p.note,
    supersedes: p.supersedes,
    supersededBy: p.supersededBy,
    unitCode: p.unitCode,
    periodLabel: p.periodLabel,
    query: p.query,
    logPosition: p.logPosition,
    logPositionNumber: p.logPositionNumber,
    referenceVersions: p.referenceVersions,
    publishedBy: p.publishedBy,
    publishedByRole: p.publishedByRole,
    publishedAt: p.publishedAt,
  };
}

/**
 * Published indicator figures (docs/indicators.md, "Published figures"): frozen with the log
 * position they reflect, append-only (no update or delete route: a correction is a new publication
 * naming the one it supersedes), and recomputed from the log on demand. The indicators query's
 * parameters, role and jurisdiction checks are IndicatorsController's own (`query`).
 */
@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators/publications')
export class IndicatorPublicationsController implements OnModuleInit {
  private indicators!: IndicatorsController;

  constructor(
    private readonly publications: IndicatorPublications,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.indicators = this.moduleRef.get(IndicatorsController, { strict: false });
  }

  @Post()
  @HttpCode(201)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiCreatedResponse({ type: PublicationDto, description: 'The figures as GET /indicators answers them now, frozen with the log position they reflect' })
  async publish(@CurrentUser() user: AuthenticatedUser, @Body() body: PublishIndicatorsDto): Promise<PublicationDto> {
    const title = body.title?.trim() ?? '';
    if (title.length < 1 || title.length > 200) throw bad('title', 'TITLE_LENGTH', 'title must be 1 to 200 characters');
    const note = body.note?.trim() || null;
    if (note !== null && note.length > 2000) throw bad('note', 'NOTE_LENGTH', 'note must be at most 2,000 characters');
    const q = Object.fromEntries(QUERY_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]!])) as Record<string, string>;
    // The same parameters, role and jurisdiction rules as GET /indicators (400 naming the field, 403).
    const query = this.indicators.indicatorRequest(user, q);
    let supersedes: string | null = null;
    if (body.supersedes !== undefined) {
      if (!UUID.test(body.supersedes)) throw bad('supersedes', 'UUID', 'supersedes must be the id of a publication');
      const earlier = await this.publications.find(user, body.supersedes);
      if (!earlier) throw bad('supersedes', 'PUBLICATION_NOT_FOUND', 'supersedes names no publication in your jurisdiction');
      if (earlier.unitCode !== q['unit']) throw bad('supersedes', 'SAME_UNIT', 'a correction is for the same unit as the publication it supersedes');
      supersedes = earlier.id;
    }
    const p = await this.publications.publish({
      title,
      note,
      supersedes,
      unitCode: query.frozen.request.unitCode,
      jurisdictionProvince: query.todayProvince,
      jurisdictionCommune: query.todayUnit && query.todayUnit.length === 5 ? query.todayUnit : null,
      query: { ...q, unitsOn: query.unitsOn },
      frozen: query.frozen,
      publishedBy: user.userId,
      publishedByRole: user.role,
    });
    return { ...summary(p), figures: p.figures };
  }

  @Get()
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'unit', required: false, description: 'only the publications of this unit' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500 (default 100)' })
  @ApiQuery({ name: 'cursor', required: false, description: 'the `next` of the previous page' })
  @ApiOkResponse({ type: PublicationPageDto, description: 'Publications of units in your jurisdiction, newest first (without their figures)' })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('limit') limitRaw: string | undefined,
    @Query('cursor') cursor: string | undefined,
  ): Promise<PublicationPageDto> {
    if (unit !== undefined && !/^(\d{2}|\d{5}|VN)$/.test(unit))
      throw bad('unit', 'UNIT_CODE', 'unit must be a province (2 digits), a commune (5 digits) or VN');
    const limit = pageLimit(limitRaw);
    const after = cursor === undefined ? undefined : (decodeCursor(cursor, 'cursor', [INSTANT, UUID]) as [string, string]);
    const found = await this.publications.list(user, { unitCode: unit, after, limit });
    const { rows, next } = page(found, limit, (p: Publication) => [p.publishedAt, p.id]);
    return { items: rows.map(summary), next };
  }

  @Get(':id')
  @Roles(...CASE_ROLES)
  @ApiQuery({
    name: 'format',
    required: false,
    enum: ['json', 'xlsx'],
    description: 'xlsx: the report workbook, stating when it was published and at which log position',
  })
  @ApiProduces('application/json', XLSX_TYPE)
  @ApiOkResponse({ type: PublicationDto, description: 'The frozen figures, never recomputed' })
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query('format') format: string | undefined,
  ): Promise<PublicationDto | StreamableFile> {
    if (format !== undefined && format !== 'json' && format !== 'xlsx') throw bad('format', 'FORMAT', 'format must be json or xlsx');
    const p = await this.visible(user, id);
    if (format === 'xlsx')
      return this.indicators.workbook(p.figures, p.query['unitsOn'] ?? p.figures.period.to, {
        title: p.title,
        at: p.publishedAt,
        logPosition: p.logPositionNumber,
      });
    return { ...summary(p), figures: p.figures };
  }

  @Post(':id/recompute')
  @HttpCode(200)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiServiceUnavailableResponse({ description: 'Another recomputation from the log is running on this server (rule REPLAY_BUSY)' })
  @ApiOkResponse({
    type: RecomputeDto,
    description: 'The figures recomputed from the log as it stood at the publication (its position and time), compared one by one; nothing is written',
  })
  async recompute(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<RecomputeDto> {
    const p = await this.visible(user, id);
    const r = await inReplaySlot(() => this.publications.recompute(p));
    return {
      publicationId: p.id,
      equal: r.equal,
      differenceCount: r.differenceCount,
      differences: r.differences.map((d) => ({ path: d.path, published: scalar(d.published), recomputed: scalar(d.recomputed) })),
      logPosition: p.logPosition,
      publishedAt: p.publishedAt,
      replay: { ...r.stats, seconds: Math.round(r.stats.seconds * 1000) / 1000 },
    };
  }

  /** The publication if it exists and lies in the user's jurisdiction; 400 for an id that cannot be one, 404 otherwise (the same for both). */
  private async visible(user: AuthenticatedUser, id: string): Promise<Publication> {
    if (!UUID.test(id)) throw bad('id', 'UUID', 'id must be the id of a publication');
    const p = await this.publications.find(user, id);
    if (!p) throw notFound();
    return p;
  }
}

const scalar = (v: unknown): number | string | boolean | null =>
  v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : (v as number | string | boolean);
