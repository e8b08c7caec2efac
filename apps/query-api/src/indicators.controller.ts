import { BadRequestException, Controller, ForbiddenException, Get, Inject, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdministrativeUnits, REFORM_DATE } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, maySeeCaseContent, Roles } from '@childledger/platform';
import {
  Dimension,
  DIMENSIONS,
  figuresFrom,
  FrozenQuery,
  IndicatorFigures,
  IndicatorPublications,
  INDICATOR_DEFINITIONS,
  IndicatorQueries,
  IndicatorRequest,
  parsePeriod,
  Period,
  periodSeries,
  ReferenceCodes,
  UnitResolver,
} from '@childledger/read-models';
import { ALL_ROLES, optionalDate, optionalPastInstant, requireUnitInJurisdiction } from './access';
import { IndicatorDefinitionDto, IndicatorResponseDto } from './indicators.dto';
import { indicatorWorkbook, XlsxContext } from './indicators.xlsx';
import { inReplaySlot } from './replay-slot';
import { ADMIN_UNITS } from './tokens';

/** Most periods one series may hold (ten years of months). */
export const MAX_SERIES_PERIODS = 120;
/** The whole country: for users whose jurisdiction is the whole country (admins). */
export const COUNTRY = 'VN';
const SERIES = { year: 'Y', quarter: 'Q', month: 'M' } as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const bad = (field: string, message: string) => new BadRequestException({ message, field });

@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators')
export class IndicatorsController {
  constructor(
    private readonly indicators: IndicatorQueries,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
    private readonly publications: IndicatorPublications,
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

  @Get('definitions')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [IndicatorDefinitionDto], description: 'Every indicator in report order, with its unit, target direction and labels' })
  definitions(): IndicatorDefinitionDto[] {
    return INDICATOR_DEFINITIONS.map((d) => ({ ...d }));
  }

  @Get()
  @Roles(...ALL_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force on unitsOn, or VN (the whole country: admins)' })
  @ApiQuery({ name: 'period', required: false, description: '2025, 2025-Q3 or 2025-07; required unless series is given' })
  @ApiQuery({ name: 'unitsOn', required: false, description: "which unit list (default: the period's last day); before 2025-07-01 the pre-reform units" })
  @ApiQuery({
    name: 'by',
    required: false,
    description: 'breakdown, comma-separated: sex, ageBand, group, commune (a province), province (VN); e.g. commune,sex',
    example: 'commune,sex',
  })
  @ApiQuery({ name: 'series', required: false, enum: Object.keys(SERIES), description: 'a trend: one point per period from `from` to `to`' })
  @ApiQuery({ name: 'from', required: false, description: 'first period of the series (2026-01 for months, 2026-Q1, 2026)' })
  @ApiQuery({ name: 'to', required: false, description: 'last period of the series' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'xlsx'], description: 'xlsx: the report as a workbook (Vietnamese headers)' })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'an instant (2026-03-31T17:00:00Z): the figures as the log stood at that recorded time, recomputed from the events (slow: docs/indicators.md)',
  })
  @ApiProduces('application/json', XLSX_TYPE)
  @ApiOkResponse({ type: IndicatorResponseDto })
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('period') periodLabel: string | undefined,
    @Query('unitsOn') unitsOnRaw: string | undefined,
    @Query('by') byRaw: string | undefined,
    @Query('series') seriesRaw: string | undefined,
    @Query('from') fromRaw: string | undefined,
    @Query('to') toRaw: string | undefined,
    @Query('format') format: string | undefined,
    @Query('asOf') asOfRaw: string | undefined,
  ): Promise<IndicatorResponseDto | StreamableFile> {
    if (!unit) throw bad('unit', 'unit is required');
    if (format !== undefined && format !== 'json' && format !== 'xlsx') throw bad('format', 'format must be json or xlsx');
    const asOf = optionalPastInstant(asOfRaw, 'asOf');
    const query = this.indicatorRequest(user, { unit, period: periodLabel, unitsOn: unitsOnRaw, by: byRaw, series: seriesRaw, from: fromRaw, to: toRaw });
    // As of a recorded time: recomputed from the log (IndicatorPublications.asOf), never from the projection.
    const figures = asOf ? (await inReplaySlot(() => this.publications.asOf(asOf, query.frozen))).figures : await figuresFrom(this.indicators, query.frozen);
    if (format === 'xlsx') return this.workbook(figures, query.unitsOn);
    return figures;
  }

  /**
   * The indicator request for these parameters, after the role's jurisdiction check (403) and the
   * parameters' (400 naming the field): what GET /indicators computes, and what a publication freezes.
   */
  indicatorRequest(
    user: AuthenticatedUser,
    q: { unit?: string; period?: string; unitsOn?: string; by?: string; series?: string; from?: string; to?: string },
  ): { frozen: FrozenQuery; unitsOn: string; todayUnit: string | null; todayProvince: string | null } {
    const { unit, period: periodLabel, unitsOn: unitsOnRaw, by: byRaw, series: seriesRaw, from: fromRaw, to: toRaw } = q;
    if (!unit) throw bad('unit', 'unit is required');
    const periods = this.periods(periodLabel, seriesRaw, fromRaw, toRaw);
    const last = periods[periods.length - 1]!;
    const unitsOn = optionalDate(unitsOnRaw, 'unitsOn') ?? last.to;
    const oldUnits = unitsOn < REFORM_DATE;
    const country = unit === COUNTRY;
    const provinceCode = country ? null : this.provinceOf(unit, unitsOn);
    let todayUnit: string | null = null;
    let todayProvince: string | null = null;
    if (country) {
      if (user.role !== 'admin') throw new ForbiddenException(`unit ${COUNTRY} (the whole country) is outside your jurisdiction`);
    } else {
      // Tokens name today's units: a pre-reform unit is in a user's jurisdiction when its successor is.
      const today = UnitResolver.usesOldUnits(unitsOn) ? (unit.length === 2 ? this.units.provinceToday(unit) : this.units.currentCodesFor(unit)[0]) : unit;
      todayProvince = UnitResolver.usesOldUnits(unitsOn) ? (this.units.provinceToday(provinceCode!) ?? provinceCode!) : provinceCode!;
      todayUnit = today ?? unit;
      requireUnitInJurisdiction(user, todayUnit, todayProvince);
    }
    const by = this.dimensions(byRaw, unit);
    const inForce = this.units.unitsInForceOn(unitsOn);
    const breakdownUnits = by.includes('commune')
      ? inForce.communes.filter((c) => c.provinceCode === provinceCode).map((c) => c.code)
      : by.includes('province')
        ? inForce.provinces.map((p) => p.code)
        : undefined;
    const req: IndicatorRequest = {
      unitCode: unit,
      provinceCode,
      period: last,
      oldUnits,
      // Roles that do not see case content see counts of 1–4 suppressed (docs/indicators.md).
      suppressSmallCounts: !maySeeCaseContent(user.role),
      by,
      breakdownUnits,
      referenceCodes: this.referenceCodes([unit, ...(breakdownUnits ?? [])], oldUnits),
    };
    return { frozen: { request: req, periods, isSeries: seriesRaw !== undefined }, unitsOn, todayUnit, todayProvince };
  }

  /** The figures as the report workbook (format=xlsx); a publication's states when and at which log position it was published. */
  async workbook(figures: IndicatorFigures, unitsOn: string, published?: XlsxContext['published']): Promise<StreamableFile> {
    const { series, ...result } = figures;
    const unit = result.unitCode;
    const name = (code: string) =>
      code === COUNTRY ? 'Toàn quốc' : ((code.length === 2 ? this.units.provinceOn(code, unitsOn) : this.units.communeOn(code, unitsOn))?.fullName ?? code);
    const file = await indicatorWorkbook(result, series, { unitName: name(unit), unitNames: name, published });
    return new StreamableFile(file, {
      type: XLSX_TYPE,
      disposition: `attachment; filename="chi-tieu-${unit}-${series ? `${series.from}_${series.to}` : result.period.label}.xlsx"`,
      length: file.length,
    });
  }

  /** The period asked for, or the series `from`..`to`; 400 naming the field at fault. */
  private periods(periodLabel: string | undefined, seriesRaw: string | undefined, fromRaw: string | undefined, toRaw: string | undefined): Period[] {
    if (seriesRaw === undefined) {
      if (fromRaw !== undefined || toRaw !== undefined) throw bad('series', 'from and to need series=year, quarter or month');
      const period = periodLabel ? parsePeriod(periodLabel) : null;
      if (!period) throw bad('period', 'period must be a year (2025), a quarter (2025-Q3) or a month (2025-07)');
      return [period];
    }
    if (periodLabel !== undefined) throw bad('period', 'give either period or series (with from and to), not both');
    const g = SERIES[seriesRaw as keyof typeof SERIES];
    if (!g) throw bad('series', 'series must be year, quarter or month');
    const shape = { Y: /^\d{4}$/, Q: /^\d{4}-Q[1-4]$/, M: /^\d{4}-(0[1-9]|1[0-2])$/ }[g];
    const example = { Y: '2026', Q: '2026-Q1', M: '2026-01' }[g];
    const from = fromRaw && shape.test(fromRaw) ? parsePeriod(fromRaw) : null;
    if (!from) throw bad('from', `from must be a ${seriesRaw} like ${example}`);
    const to = toRaw && shape.test(toRaw) ? parsePeriod(toRaw) : null;
    if (!to) throw bad('to', `to must be a ${seriesRaw} like ${example}`);
    if (to.from < from.from) throw bad('to', 'to must not be before from');
    const periods = periodSeries(g, from, to);
    if (periods.length > MAX_SERIES_PERIODS) throw bad('to', `a series holds at most ${MAX_SERIES_PERIODS} periods`);
    return periods;
  }

  /** The breakdown's dimensions; 400 naming `by` for an unknown, repeated or misplaced one. */
  private dimensions(byRaw: string | undefined, unit: string): Dimension[] {
    if (byRaw === undefined || byRaw === '') return [];
    const dims = byRaw.split(',').map((d) => d.trim());
    for (const d of dims) if (!(DIMENSIONS as readonly string[]).includes(d)) throw bad('by', `by must list some of ${DIMENSIONS.join(', ')}`);
    if (new Set(dims).size !== dims.length) throw bad('by', 'by lists a dimension twice');
    if (dims.includes('commune') && unit.length !== 2) throw bad('by', 'by=commune needs a province as unit');
    if (dims.includes('province') && unit !== COUNTRY) throw bad('by', `by=province needs unit=${COUNTRY}`);
    if (dims.includes('commune') && unit === COUNTRY) throw bad('by', `by=commune needs a province as unit (use by=province for ${COUNTRY})`);
    return dims as Dimension[];
  }

  /**
   * Targets and populations are uploaded in the units in force at the end of their period. Asked
   * in the other list (a 2024 period in today's units, say), a unit takes those of its counterparts
   * by the official mapping, the way children are placed (docs/indicators.md, "Targets across the
   * 2025 reorganisation").
   */
  private referenceCodes(codes: string[], oldUnits: boolean): Record<string, ReferenceCodes> {
    const out: Record<string, ReferenceCodes> = {};
    const oldProvinces = this.units.unitsInForceOn('2025-06-30').provinces.map((p) => p.code);
    for (const code of codes) {
      if (code === COUNTRY) continue;
      if (!oldUnits) {
        // Asked in today's units, uploaded in the old ones: the old units that went into it (merged: counts add up).
        const former = code.length === 2 ? oldProvinces.filter((p) => this.units.provinceToday(p) === code) : this.units.formerCodesOf(code);
        const whole = code.length === 2 || former.every((f) => this.units.currentCodesFor(f).length === 1);
        out[code] = { codes: former, additive: whole };
      } else {
        // Asked in the old units, uploaded in today's: the unit it went into (a part of it: only shares carry over).
        const current = code.length === 2 ? [this.units.provinceToday(code) ?? code] : this.units.currentCodesFor(code);
        out[code] = { codes: current, additive: false };
      }
    }
    return out;
  }
}
