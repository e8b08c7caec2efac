import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parse } from 'csv-parse/sync';
import { AdministrativeUnits, REFORM_DATE } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, maySeeCaseContent, Roles } from '@childledger/platform';
import { IndicatorQueries, INDICATORS, parsePeriod, ReferenceKind, ReferenceRow, UnitResolver } from '@childledger/read-models';
import { ALL_ROLES, optionalDate, REFERENCE_DATA_ROLES, requireUnitInJurisdiction } from './access';
import { ADMIN_UNITS } from './tokens';

const MAX_ROWS = 50_000;

@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators')
export class IndicatorsController {
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
    throw new BadRequestException({ message: `unit ${unit} is not a province or commune in force on ${date}`, field: 'unit' });
  }

  @Get()
  @Roles(...ALL_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force on unitsOn' })
  @ApiQuery({ name: 'period', required: true, description: '2025, 2025-Q3 or 2025-07' })
  @ApiQuery({ name: 'unitsOn', required: false, description: "which unit list (default: the period's last day); before 2025-07-01 the pre-reform units" })
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('period') periodLabel: string | undefined,
    @Query('unitsOn') unitsOnRaw: string | undefined,
  ) {
    if (!unit) throw new BadRequestException({ message: 'unit is required', field: 'unit' });
    const period = periodLabel ? parsePeriod(periodLabel) : null;
    if (!period) throw new BadRequestException({ message: 'period must be a year (2025), a quarter (2025-Q3) or a month (2025-07)', field: 'period' });
    const unitsOn = optionalDate(unitsOnRaw, 'unitsOn') ?? period.to;
    const provinceCode = this.provinceOf(unit, unitsOn);
    // Tokens name today's units: a pre-reform unit is in a user's jurisdiction when its successor is.
    const today = UnitResolver.usesOldUnits(unitsOn) ? (unit.length === 2 ? this.units.provinceToday(unit) : this.units.currentCodesFor(unit)[0]) : unit;
    const todayProvince = UnitResolver.usesOldUnits(unitsOn) ? (this.units.provinceToday(provinceCode) ?? provinceCode) : provinceCode;
    requireUnitInJurisdiction(user, today ?? unit, todayProvince);
    return this.indicators.compute({
      unitCode: unit,
      provinceCode,
      period,
      oldUnits: unitsOn < REFORM_DATE,
      // Roles that do not see case content see counts of 1–4 suppressed (docs/indicators.md).
      suppressSmallCounts: !maySeeCaseContent(user.role),
    });
  }

  @Post('targets')
  @HttpCode(201)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiConsumes('text/csv')
  @ApiBody({ description: 'CSV with header unit_code,period,indicator,target', schema: { type: 'string' } })
  uploadTargets(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown, @Headers('content-type') type: string | undefined) {
    return this.upload(user, 'target', body, type);
  }

  @Post('populations')
  @HttpCode(201)
  @Roles(...REFERENCE_DATA_ROLES)
  @ApiConsumes('text/csv')
  @ApiBody({ description: 'CSV with header unit_code,period,child_population', schema: { type: 'string' } })
  uploadPopulations(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown, @Headers('content-type') type: string | undefined) {
    return this.upload(user, 'population', body, type);
  }

  private async upload(user: AuthenticatedUser, kind: ReferenceKind, body: unknown, type: string | undefined) {
    if (!type?.startsWith('text/csv') || typeof body !== 'string')
      throw new BadRequestException({ message: 'send the CSV as the body with Content-Type: text/csv', field: 'body' });
    let records: Record<string, string>[];
    try {
      records = parse(body, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (err) {
      throw new BadRequestException({ message: `CSV could not be read: ${(err as Error).message}`, field: 'body' });
    }
    if (records.length === 0) throw new BadRequestException({ message: 'the CSV has no rows', field: 'body' });
    if (records.length > MAX_ROWS) throw new BadRequestException({ message: `at most ${MAX_ROWS} rows per upload`, field: 'body' });
    const valueColumn = kind === 'target' ? 'target' : 'child_population';
    const rows: ReferenceRow[] = records.map((r, i) => {
      const line = i + 2;
      const unitCode = r['unit_code'] ?? '';
      if (!/^(\d{2}|\d{5})$/.test(unitCode))
        throw new BadRequestException({ message: `row ${line}: unit_code must be 2 or 5 digits`, field: 'unit_code', row: line });
      const periodLabel = r['period'] ?? '';
      const period = parsePeriod(periodLabel);
      if (!period) throw new BadRequestException({ message: `row ${line}: period must be 2025, 2025-Q3 or 2025-07`, field: 'period', row: line });
      const indicator = kind === 'target' ? (r['indicator'] ?? '') : '';
      if (kind === 'target' && !(INDICATORS as readonly string[]).includes(indicator)) {
        throw new BadRequestException({ message: `row ${line}: indicator must be one of ${INDICATORS.join(', ')}`, field: 'indicator', row: line });
      }
      const value = Number(r[valueColumn]);
      if (
        r[valueColumn] === undefined ||
        r[valueColumn] === '' ||
        !Number.isFinite(value) ||
        value < 0 ||
        (kind === 'population' && !Number.isInteger(value))
      ) {
        throw new BadRequestException({
          message: `row ${line}: ${valueColumn} must be a ${kind === 'population' ? 'whole ' : ''}number ≥ 0`,
          field: valueColumn,
          row: line,
        });
      }
      const province = this.provinceOf(unitCode, unitCode.length === 2 && !this.units.isProvinceValidOn(unitCode, period.to) ? '2025-06-30' : period.to);
      const todayUnit =
        unitCode.length === 2
          ? (this.units.provinceToday(unitCode) ?? unitCode)
          : (this.units.currentCodesFor(unitCode, { recordedOn: period.to })[0] ?? unitCode);
      requireUnitInJurisdiction(user, todayUnit, this.units.provinceToday(province) ?? province);
      return { unitCode, period: periodLabel, indicator, value };
    });
    const version = await this.indicators.storeReferenceVersion(kind, rows, user.userId);
    return { kind, version, rows: rows.length };
  }
}
