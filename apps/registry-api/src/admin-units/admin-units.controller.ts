import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdministrativeUnit, AdministrativeUnits, LAST_DAY_BEFORE_REFORM, LAST_DAY_OF_STALE_CODES, REFORM_DATE, toIsoDate } from '@childledger/admin-units';
import { Roles, ROLES } from '@childledger/platform';
import { ADMINISTRATIVE_UNITS } from '@childledger/registry';
import { ErrorBodyDto } from '../http/openapi';
import { RequestValidationException } from '../http/validation';
import { AdminUnitAtQuery, AdminUnitCodeParams, AdminUnitDto, AdminUnitListDto, AdminUnitLookupDto, AdminUnitsQuery } from './admin-units.dto';

const byName = (a: AdminUnitDto, b: AdminUnitDto) => (a.districtName ?? '').localeCompare(b.districtName ?? '', 'vi') || a.name.localeCompare(b.name, 'vi');

/**
 * Provinces and communes in force on a day, for the console's pickers, and what an old code (before
 * the 2025 reorganisation) stands for today. Reference data: any signed-in role, no purpose, no read audit.
 */
@ApiTags('admin-units')
@ApiBearerAuth()
@Roles(...ROLES)
@Controller('admin-units')
export class AdminUnitsController {
  // New province code → the old ones that went into it (every old province went wholly into one).
  private readonly formerProvinces = new Map<string, string[]>();

  constructor(@Inject(ADMINISTRATIVE_UNITS) private readonly units: AdministrativeUnits) {
    for (const old of units.unitsInForceOn(LAST_DAY_BEFORE_REFORM).provinces) {
      const now = units.provinceToday(old.code);
      if (now !== undefined) this.formerProvinces.set(now, [...(this.formerProvinces.get(now) ?? []), old.code]);
    }
  }

  @Get()
  @ApiOperation({ summary: 'The provinces in force on a day, or (with `province`) that province\u2019s communes' })
  @ApiOkResponse({ type: AdminUnitListDto })
  list(@Query() q: AdminUnitsQuery): AdminUnitListDto {
    const inForce = this.units.unitsInForceOn(q.at);
    if (q.province === undefined) {
      return { at: q.at, level: 'province', units: inForce.provinces.map((p) => this.dto(p)).sort(byName) };
    }
    const province = this.units.provinceOn(q.province, q.at);
    if (!province) {
      throw new RequestValidationException([{ field: 'province', rule: 'inForce', message: `${q.province} is not a province code in force on ${q.at}` }]);
    }
    const communes = inForce.communes.filter((c) => c.provinceCode === province.code).map((c) => this.dto(c));
    return { at: q.at, level: 'commune', province: this.dto(province), units: communes.sort(byName) };
  }

  @Get(':code')
  @ApiOperation({ summary: 'One commune code on a day: the unit in force, the old unit when the code is read as a pre-2025 one, and what it stands for today' })
  @ApiOkResponse({ type: AdminUnitLookupDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No commune had this code, on that day or in the old list' })
  lookup(@Param() p: AdminUnitCodeParams, @Query() q: AdminUnitAtQuery): AdminUnitLookupDto {
    const inForce = this.units.communeOn(p.code, q.at);
    const readAsOld = q.at < REFORM_DATE || inForce === undefined;
    const old = readAsOld ? (this.units.communeOn(p.code, LAST_DAY_BEFORE_REFORM) ?? this.units.communeOn(p.code, LAST_DAY_OF_STALE_CODES)) : undefined;
    if (!inForce && !old) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `no commune had the code ${p.code}`,
        errors: [{ field: 'code', rule: 'known', message: `no commune had the code ${p.code}` }],
      });
    }
    const today = [toIsoDate(new Date()), REFORM_DATE].sort().at(-1) ?? REFORM_DATE;
    const currentCodes = old ? this.units.currentCodesFor(p.code) : [p.code];
    const currentUnits = currentCodes
      .map((c) => this.units.communeOn(c, today) ?? this.units.communeOn(c, REFORM_DATE))
      .filter((u): u is AdministrativeUnit => u !== undefined);
    return {
      code: p.code,
      at: q.at,
      unit: inForce ? this.dto(inForce) : null,
      oldUnit: old ? this.dto(old) : null,
      currentUnits: currentUnits.map((u) => this.dto(u)),
    };
  }

  private dto(u: AdministrativeUnit): AdminUnitDto {
    const before = u.edition === 'before_2025_07_01';
    const editionDay = before ? LAST_DAY_BEFORE_REFORM : REFORM_DATE;
    const province = u.level === 'province' ? u : this.units.provinceOn(u.provinceCode, editionDay);
    const district = before && u.level === 'commune' && u.districtCode ? this.units.districtOn(u.districtCode, LAST_DAY_BEFORE_REFORM) : undefined;
    let currentCodes: string[];
    let formerCodes: string[] = [];
    if (u.level === 'province') {
      const now = before ? this.units.provinceToday(u.code) : u.code;
      currentCodes = now === undefined ? [] : [now];
      if (!before) formerCodes = this.formerProvinces.get(u.code) ?? [];
    } else {
      currentCodes = before ? this.units.currentCodesFor(u.code) : [u.code];
      if (!before) formerCodes = this.units.formerCodesOf(u.code);
    }
    return {
      code: u.code,
      level: u.level === 'province' ? 'province' : 'commune',
      name: u.name,
      fullName: u.fullName,
      provinceCode: u.provinceCode,
      provinceName: province?.fullName ?? u.provinceCode,
      ...(district ? { districtName: district.fullName } : {}),
      edition: u.edition,
      ...(u.validTo ? { validTo: u.validTo } : {}),
      currentCodes,
      formerCodes,
    };
  }
}
