import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parse } from 'csv-parse/sync';
import * as ExcelJS from 'exceljs';
import { AdministrativeUnits, REFORM_DATE } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import { IndicatorQueries, INDICATORS, parsePeriod, ReferenceKind, ReferenceRow } from '@childledger/read-models';
import { REFERENCE_DATA_ROLES, requireUnitInJurisdiction } from './access';
import {
  ReferencePreviewDto,
  ReferencePreviewRowDto,
  ReferenceRowProblemDto,
  ReferenceUploadDto,
  ReferenceVersionPageDto,
  ReferenceVersionRowsDto,
} from './indicators.dto';
import { ADMIN_UNITS } from './tokens';

const MAX_ROWS = 50_000;
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const bad = (field: string, message: string) => new BadRequestException({ message, field });

/**
 * Targets and child populations (docs/indicators.md, "Targets and child populations"): uploads as
 * versions, all rows or none; a preview that validates exactly as the upload does and stores
 * nothing; the version history and each version's rows.
 */
@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators')
export class ReferenceDataController {
  constructor(
    private readonly indicators: IndicatorQueries,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
  ) {}

  /** The province a unit in force on `date` belongs to; 400 naming `unit` if it was not in force. */
  private provinceOf(unit: string, date: string): string {
    if (/^\d{2}$/.test(unit) && this.units.isProvinceValidOn(unit, date)) return unit;
    if (/^\d{5}$/.test(unit)) {
      const p = this.units.provinceOfCommune(unit, date);
      if (p) return p;
    }
    throw bad('unit', `unit ${unit} is not a province or commune in force on ${date}`);
  }

  @Post('targets')
  @HttpCode(201)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiConsumes('text/csv', XLSX_TYPE)
  @ApiBody({ description: 'CSV (or an XLSX workbook, first sheet) with header unit_code,period,indicator,target', schema: { type: 'string' } })
  @ApiQuery({ name: 'fileName', required: false, description: "the uploaded file's name, kept in the version history" })
  @ApiCreatedResponse({ type: ReferenceUploadDto })
  uploadTargets(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
    @Headers('content-type') type: string | undefined,
    @Query('fileName') fileName: string | undefined,
  ) {
    return this.upload(user, 'target', body, type, fileName);
  }

  @Post('populations')
  @HttpCode(201)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiConsumes('text/csv', XLSX_TYPE)
  @ApiBody({ description: 'CSV (or an XLSX workbook, first sheet) with header unit_code,period,child_population', schema: { type: 'string' } })
  @ApiQuery({ name: 'fileName', required: false, description: "the uploaded file's name, kept in the version history" })
  @ApiCreatedResponse({ type: ReferenceUploadDto })
  uploadPopulations(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
    @Headers('content-type') type: string | undefined,
    @Query('fileName') fileName: string | undefined,
  ) {
    return this.upload(user, 'population', body, type, fileName);
  }

  @Post('targets/preview')
  @HttpCode(200)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiConsumes('text/csv', XLSX_TYPE)
  @ApiBody({ description: 'the file an upload of targets would take; nothing is stored', schema: { type: 'string' } })
  @ApiQuery({ name: 'fileName', required: false })
  @ApiOkResponse({ type: ReferencePreviewDto, description: 'Row by row: what the upload would add or change (old → new value), and which rows are wrong' })
  previewTargets(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
    @Headers('content-type') type: string | undefined,
    @Query('fileName') fileName: string | undefined,
  ) {
    return this.preview(user, 'target', body, type, fileName);
  }

  @Post('populations/preview')
  @HttpCode(200)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiConsumes('text/csv', XLSX_TYPE)
  @ApiBody({ description: 'the file an upload of child populations would take; nothing is stored', schema: { type: 'string' } })
  @ApiQuery({ name: 'fileName', required: false })
  @ApiOkResponse({ type: ReferencePreviewDto, description: 'Row by row: what the upload would add or change (old → new value), and which rows are wrong' })
  previewPopulations(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
    @Headers('content-type') type: string | undefined,
    @Query('fileName') fileName: string | undefined,
  ) {
    return this.preview(user, 'population', body, type, fileName);
  }

  @Get('targets/versions')
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ type: ReferenceVersionPageDto, description: 'Every upload of targets, newest first' })
  targetVersions(@Query('limit') limit: string | undefined, @Query('offset') offset: string | undefined) {
    return this.versions('target', limit, offset);
  }

  @Get('populations/versions')
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ type: ReferenceVersionPageDto, description: 'Every upload of child populations, newest first' })
  populationVersions(@Query('limit') limit: string | undefined, @Query('offset') offset: string | undefined) {
    return this.versions('population', limit, offset);
  }

  @Get('targets/versions/:version')
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ type: ReferenceVersionRowsDto, description: "One version and a page of its rows (an inspector: the rows of their provinces' units)" })
  targetVersion(
    @CurrentUser() user: AuthenticatedUser,
    @Param('version') version: string,
    @Query('limit') limit: string | undefined,
    @Query('offset') offset: string | undefined,
  ) {
    return this.versionRows(user, 'target', version, limit, offset);
  }

  @Get('populations/versions/:version')
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ type: ReferenceVersionRowsDto, description: "One version and a page of its rows (an inspector: the rows of their provinces' units)" })
  populationVersion(
    @CurrentUser() user: AuthenticatedUser,
    @Param('version') version: string,
    @Query('limit') limit: string | undefined,
    @Query('offset') offset: string | undefined,
  ) {
    return this.versionRows(user, 'population', version, limit, offset);
  }

  private async upload(
    user: AuthenticatedUser,
    kind: ReferenceKind,
    body: unknown,
    type: string | undefined,
    fileNameRaw: string | undefined,
  ): Promise<ReferenceUploadDto> {
    const fileName = this.fileName(fileNameRaw);
    const { rows, problems } = await this.validate(user, kind, body, type);
    // All or nothing: one wrong row and nothing is stored. A unit outside the uploader's jurisdiction is a 403, as before.
    const outside = problems.find((p) => p.rule === 'OUTSIDE_JURISDICTION');
    if (outside) throw new ForbiddenException({ message: outside.message, field: outside.field, rule: outside.rule, row: outside.row });
    if (problems.length > 0) {
      const first = problems[0]!;
      throw new BadRequestException({
        message: first.message,
        field: first.field,
        rule: first.rule,
        row: first.row,
        errors: problems,
      });
    }
    const version = await this.indicators.storeReferenceVersion(
      kind,
      rows.map((r) => r.row!),
      { loadedBy: user.userId, loadedByName: user.name || null, fileName },
    );
    return { kind, version, rows: rows.length };
  }

  /** What the upload would do, changing nothing: the same validation, each row compared with the value in force. */
  private async preview(
    user: AuthenticatedUser,
    kind: ReferenceKind,
    body: unknown,
    type: string | undefined,
    fileNameRaw: string | undefined,
  ): Promise<ReferencePreviewDto> {
    const fileName = this.fileName(fileNameRaw);
    const { rows, problems } = await this.validate(user, kind, body, type);
    const valid = rows.filter((r) => r.row).map((r) => r.row!);
    const inForce = await this.indicators.referenceValuesInForce(kind, valid);
    const key = (r: { unitCode: string; period: string; indicator: string }) => `${r.unitCode}|${r.period}|${r.indicator}`;
    const current = new Map(inForce.map((v) => [key(v), v]));
    const counts = { added: 0, changed: 0, unchanged: 0, invalid: 0 };
    const items: ReferencePreviewRowDto[] = rows.map((r) => {
      const was = r.row ? current.get(key(r.row)) : undefined;
      const status: ReferencePreviewRowDto['status'] = !r.row ? 'invalid' : !was ? 'added' : was.value === r.row.value ? 'unchanged' : 'changed';
      counts[status]++;
      return {
        row: r.line,
        unitCode: r.raw.unitCode,
        period: r.raw.period,
        indicator: r.raw.indicator,
        value: r.raw.value,
        status,
        current: was?.value ?? null,
        currentVersion: was?.version ?? null,
      };
    });
    return { kind, fileName, rows: rows.length, ...counts, items, errors: problems };
  }

  private fileName(raw: string | undefined): string | null {
    if (raw === undefined || raw === '') return null;
    if (raw.length > 255 || [...raw].some((c) => c.charCodeAt(0) < 32))
      throw bad('fileName', 'fileName must be at most 255 characters, without control characters');
    return raw;
  }

  /** The records of the body: CSV text, or the first sheet of an XLSX workbook; 400 naming `body` if unreadable or empty. */
  private async records(body: unknown, type: string | undefined): Promise<{ line: number; record: Record<string, string> }[]> {
    const fileProblem = (message: string, rule: string) =>
      new BadRequestException({ message, field: 'body', rule, errors: [{ row: null, field: 'body', rule, message }] });
    if (type?.startsWith(XLSX_TYPE) && Buffer.isBuffer(body)) {
      const book = new ExcelJS.Workbook();
      try {
        await book.xlsx.load(body as unknown as ArrayBuffer);
      } catch {
        throw fileProblem('the workbook could not be read (an .xlsx file is expected)', 'UNREADABLE_FILE');
      }
      const sheet = book.worksheets[0];
      if (!sheet) throw fileProblem('the workbook has no sheet', 'NO_ROWS');
      const text = (v: ExcelJS.CellValue): string => {
        if (v === null || v === undefined) return '';
        if (typeof v === 'object') {
          if (v instanceof Date) return v.toISOString().slice(0, 10);
          if ('richText' in v) return v.richText.map((t) => t.text).join('');
          if ('result' in v) return text(v.result as ExcelJS.CellValue);
          if ('text' in v) return String(v.text);
          return '';
        }
        return String(v).trim();
      };
      const grid: string[][] = [];
      sheet.eachRow({ includeEmpty: true }, (row) => grid.push((row.values as ExcelJS.CellValue[]).slice(1).map(text)));
      const [header, ...data] = grid;
      const columns = (header ?? []).map((c) => c.trim().toLowerCase());
      // Rows keep their line in the sheet (the header is line 1), empty ones skipped, so that a problem names the row Excel shows.
      return data
        .map((cells, i) => ({ line: i + 2, record: Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? ''])) }))
        .filter((r) => Object.values(r.record).some((v) => v !== ''));
    }
    if (!type?.startsWith('text/csv') || typeof body !== 'string')
      throw fileProblem(`send the file as the body with Content-Type: text/csv or ${XLSX_TYPE}`, 'CONTENT_TYPE');
    try {
      // Each record with its line in the file (blank lines skipped but counted), as a spreadsheet or an editor numbers it.
      const parsed = parse(body, {
        columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
        skip_empty_lines: true,
        trim: true,
        bom: true,
        info: true,
      }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
      return parsed.map((r) => ({ line: r.info.lines, record: r.record }));
    } catch (err) {
      throw fileProblem(`CSV could not be read: ${(err as Error).message}`, 'UNREADABLE_FILE');
    }
  }

  /**
   * Every row of an upload, checked: its stored form when it is right, and every problem of every row
   * (row, field, rule, message). A file that cannot be read, has no rows, too many or misses a column is a 400.
   */
  private async validate(
    user: AuthenticatedUser,
    kind: ReferenceKind,
    body: unknown,
    type: string | undefined,
  ): Promise<{ rows: CheckedRow[]; problems: ReferenceRowProblemDto[] }> {
    const records = await this.records(body, type);
    const fileProblem = (message: string, rule: string, field = 'body') =>
      new BadRequestException({ message, field, rule, errors: [{ row: null, field, rule, message }] });
    if (records.length === 0) throw fileProblem('the file has no rows', 'NO_ROWS');
    if (records.length > MAX_ROWS) throw fileProblem(`at most ${MAX_ROWS} rows per upload`, 'TOO_MANY_ROWS');
    const valueColumn = kind === 'target' ? 'target' : 'child_population';
    const columns = kind === 'target' ? ['unit_code', 'period', 'indicator', 'target'] : ['unit_code', 'period', 'child_population'];
    const missing = columns.filter((c) => !(c in records[0]!.record));
    if (missing.length > 0) throw fileProblem(`the header must name ${columns.join(',')}; missing: ${missing.join(', ')}`, 'MISSING_COLUMN', missing[0]);
    const problems: ReferenceRowProblemDto[] = [];
    const seen = new Map<string, number>();
    const rows = records.map(({ line, record: r }): CheckedRow => {
      const raw = {
        unitCode: r['unit_code'] ?? '',
        period: r['period'] ?? '',
        indicator: kind === 'target' ? (r['indicator'] ?? '') : '',
        value: r[valueColumn] ?? '',
      };
      const mine: ReferenceRowProblemDto[] = [];
      const problem = (field: string, rule: string, message: string) => mine.push({ row: line, field, rule, message: `row ${line}: ${message}` });
      if (!/^(\d{2}|\d{5})$/.test(raw.unitCode)) problem('unit_code', 'UNIT_CODE_FORMAT', 'unit_code must be 2 or 5 digits');
      const period = parsePeriod(raw.period);
      if (!period) problem('period', 'PERIOD_FORMAT', 'period must be 2025, 2025-Q3 or 2025-07');
      if (kind === 'target' && !(INDICATORS as readonly string[]).includes(raw.indicator)) {
        problem('indicator', 'INDICATOR_UNKNOWN', `indicator must be one of ${INDICATORS.join(', ')}`);
      }
      const value = Number(raw.value);
      if (raw.value === '' || !Number.isFinite(value)) problem(valueColumn, 'NOT_A_NUMBER', `${valueColumn} must be a number`);
      else if (value < 0) problem(valueColumn, 'NEGATIVE', `${valueColumn} must be ≥ 0`);
      else if (kind === 'population' && !Number.isInteger(value)) problem(valueColumn, 'NOT_WHOLE', `${valueColumn} must be a whole number`);
      if (period && mine.every((p) => p.field !== 'unit_code')) {
        try {
          const province = this.provinceOf(
            raw.unitCode,
            raw.unitCode.length === 2 && !this.units.isProvinceValidOn(raw.unitCode, period.to) ? '2025-06-30' : period.to,
          );
          const todayUnit =
            raw.unitCode.length === 2
              ? (this.units.provinceToday(raw.unitCode) ?? raw.unitCode)
              : (this.units.currentCodesFor(raw.unitCode, { recordedOn: period.to })[0] ?? raw.unitCode);
          try {
            requireUnitInJurisdiction(user, todayUnit, this.units.provinceToday(province) ?? province);
          } catch (err) {
            if (!(err instanceof ForbiddenException)) throw err;
            problem('unit_code', 'OUTSIDE_JURISDICTION', `unit ${raw.unitCode} is outside your jurisdiction`);
          }
        } catch (err) {
          if (!(err instanceof BadRequestException)) throw err;
          problem('unit_code', 'UNIT_NOT_IN_FORCE', `unit ${raw.unitCode} is not a province or commune in force at the end of ${raw.period}`);
        }
      }
      if (mine.length === 0) {
        const k = `${raw.unitCode}|${raw.period}|${raw.indicator}`;
        const first = seen.get(k);
        if (first !== undefined) problem(valueColumn, 'DUPLICATE', `the same unit, period${kind === 'target' ? ' and indicator' : ''} as row ${first}`);
        else seen.set(k, line);
      }
      problems.push(...mine);
      return { line, raw, row: mine.length === 0 ? { unitCode: raw.unitCode, period: raw.period, indicator: raw.indicator, value } : null };
    });
    return { rows, problems };
  }

  private page(limitRaw: string | undefined, offsetRaw: string | undefined): { limit: number; offset: number } {
    const limit = limitRaw === undefined ? DEFAULT_PAGE : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw bad('limit', `limit must be a whole number from 1 to ${MAX_PAGE}`);
    const offset = offsetRaw === undefined ? 0 : Number(offsetRaw);
    if (!Number.isInteger(offset) || offset < 0) throw bad('offset', 'offset must be a whole number ≥ 0');
    return { limit, offset };
  }

  private async versions(kind: ReferenceKind, limit: string | undefined, offset: string | undefined): Promise<ReferenceVersionPageDto> {
    const page = this.page(limit, offset);
    const { items, total } = await this.indicators.listReferenceVersions(kind, page);
    const latest = page.offset === 0 ? items[0]?.version : (await this.indicators.listReferenceVersions(kind, { limit: 1, offset: 0 })).items[0]?.version;
    return { items: items.map((v) => ({ ...v, latest: v.version === latest })), total, ...page };
  }

  private async versionRows(
    user: AuthenticatedUser,
    kind: ReferenceKind,
    versionRaw: string,
    limit: string | undefined,
    offset: string | undefined,
  ): Promise<ReferenceVersionRowsDto> {
    const page = this.page(limit, offset);
    const number = Number(versionRaw);
    if (!/^\d{1,9}$/.test(versionRaw) || number < 1) throw bad('version', 'version must be a whole number ≥ 1');
    const version = await this.indicators.referenceVersion(kind, number);
    if (!version)
      throw new NotFoundException({ message: `no version ${number} of the ${kind === 'target' ? 'targets' : 'child populations'}`, field: 'version' });
    const { rows, total } = await this.indicators.referenceVersionRows(kind, number, this.jurisdictionCodes(user), page);
    const latest = (await this.indicators.listReferenceVersions(kind, { limit: 1, offset: 0 })).items[0]?.version;
    return { version: { ...version, latest: version.version === latest }, rows, total, ...page };
  }

  /** The unit codes (provinces and communes, old and current) a user's jurisdiction covers; null for the whole country. */
  private jurisdictionCodes(user: AuthenticatedUser): string[] | null {
    if (user.role === 'admin') return null;
    const codes = new Set<string>();
    for (const on of ['2025-06-30', REFORM_DATE]) {
      const inForce = this.units.unitsInForceOn(on);
      for (const p of inForce.provinces)
        if (user.communes.length === 0 && user.provinces.includes(this.units.provinceToday(p.code) ?? p.code)) codes.add(p.code);
      for (const c of inForce.communes) {
        const today = on < REFORM_DATE ? (this.units.currentCodesFor(c.code)[0] ?? c.code) : c.code;
        const province = this.units.provinceToday(c.provinceCode) ?? c.provinceCode;
        if (user.communes.length === 0 ? user.provinces.includes(province) : user.communes.includes(today)) codes.add(c.code);
      }
    }
    return [...codes];
  }
}

interface CheckedRow {
  line: number;
  raw: { unitCode: string; period: string; indicator: string; value: string };
  /** The row to store; null when it has a problem. */
  row: ReferenceRow | null;
}
