import { decodeTelex, decodeVni } from '@childledger/vietnamese-keyboard';
import type { AdminUnitLookup } from '../comparison/admin-unit-lookup.port';
import { IDENTITY_ADMIN_UNITS } from '../comparison/admin-unit-lookup.port';
import { normalisePersonalId, personalIdInconsistency } from '../normalisation/personal-id.rules';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';
import { splitNameByWords as splitUncached } from '../normalisation/word-cached.splitter';
import { parseStatedDate } from '../parsing/stated-value.parser';
import type { ChildRecordInput, PreparedRecord, PreparedResident, ResidentInput, StatedDate } from './person.model';

// Equal raw names share one (read-only) parts object, split once; a name not seen yet is split
// from cached words (word-cached.splitter.ts: the same parts as splitVietnameseName). Both are pure,
// so the caches change nothing but the time; they are cleared when full to bound their memory.
const NAME_CACHE_MAX = 400_000;
const nameCache = new Map<string, VietnameseNameParts>();
function splitVietnameseName(raw: string): VietnameseNameParts {
  let parts = nameCache.get(raw);
  if (parts === undefined) {
    if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
    parts = splitUncached(raw);
    nameCache.set(raw, parts);
  }
  return parts;
}

interface ResolvedPlace {
  communes: string[];
  split: boolean;
  provinces: string[];
}

/**
 * Normalises both sides once (names split and folded, IDs cleaned, places mapped to current
 * codes). Caches unit look-ups, which repeat millions of times in a batch.
 */
export class PersonPreparer {
  private readonly communeCache = new Map<string, ResolvedPlace>();
  private readonly provinceCache = new Map<string, string | undefined>();
  private readonly dateCache = new Map<string, StatedDate | undefined>();

  constructor(private readonly units: AdminUnitLookup = IDENTITY_ADMIN_UNITS) {}

  prepareRecord(r: ChildRecordInput): PreparedRecord {
    const personalId = normalisePersonalId(r.personalId);
    const place = this.resolveRecordPlace(r.commune, r.province);
    const record: PreparedRecord = {
      recordRef: r.recordRef,
      name: splitVietnameseName(r.fullName),
      dob: r.dateOfBirth,
      sex: r.sex,
      personalId,
      father: optionalName(r.fatherFullName),
      mother: optionalName(r.motherFullName),
      communes: place.communes,
      communeSplit: place.split,
      provinces: place.provinces,
      idInconsistency: personalId ? personalIdInconsistency(personalId, r.dateOfBirth, r.sex) : undefined,
    };
    const readings = KEYBOARDS.map((decode) => ({
      name: decodedName(r.fullName, decode),
      father: decodedName(r.fatherFullName, decode),
      mother: decodedName(r.motherFullName, decode),
    }))
      .filter((d) => d.name || d.father || d.mother)
      .map((d) => ({
        ...record,
        name: d.name ?? record.name,
        father: d.father ?? record.father,
        mother: d.mother ?? record.mother,
      }));
    return readings.length ? { ...record, readings } : record;
  }

  prepareResident(r: ResidentInput): PreparedResident {
    const place = r.residenceCommuneCode ? this.resolveCommuneCode(r.residenceCommuneCode) : EMPTY_PLACE;
    return {
      personalId: normalisePersonalId(r.personalId) ?? r.personalId,
      name: splitVietnameseName(r.fullName),
      dob: this.residentDate(r.dateOfBirth),
      sex: r.sex,
      father: optionalName(r.fatherFullName),
      mother: optionalName(r.motherFullName),
      communes: place.communes,
      communeSplit: false,
      provinces: place.provinces,
      fatherPersonalId: normalisePersonalId(r.fatherPersonalId),
      motherPersonalId: normalisePersonalId(r.motherPersonalId),
    };
  }

  // A million residents are born on a few tens of thousands of days: each date is parsed once
  // (dates are read-only and shared).
  private residentDate(raw: string | undefined): StatedDate | undefined {
    if (raw === undefined) return undefined;
    let d = this.dateCache.get(raw);
    if (d === undefined && !this.dateCache.has(raw)) {
      if (this.dateCache.size >= 100_000) this.dateCache.clear();
      d = parseStatedDate(raw);
      this.dateCache.set(raw, d);
    }
    return d;
  }

  /** Current province code for a stated province (code or name, old or new). */
  resolveProvince(raw: string | undefined): string | undefined {
    const s = raw?.trim();
    if (!s) return undefined;
    if (this.provinceCache.has(s)) return this.provinceCache.get(s);
    let code: string | undefined;
    if (/^\d{1,3}$/.test(s)) code = s.replace(/^0(\d\d)$/, '$1').padStart(2, '0');
    else code = this.units.provinceCodeByName?.(s);
    const current = code ? (this.units.currentProvinceFor?.(code) ?? code) : undefined;
    this.provinceCache.set(s, current);
    return current;
  }

  private resolveCommuneCode(code: string): ResolvedPlace {
    const key = code.padStart(5, '0');
    const cached = this.communeCache.get(key);
    if (cached) return cached;
    const communes = this.units.currentCodesFor(key);
    const provinces = unique(communes.map((c) => this.units.provinceOfCommune(c)));
    const place = { communes, split: communes.length > 1, provinces };
    this.communeCache.set(key, place);
    return place;
  }

  private resolveRecordPlace(commune: string | undefined, province: string | undefined): ResolvedPlace {
    const provinceCode = this.resolveProvince(province);
    const c = commune?.trim();
    let place: ResolvedPlace = EMPTY_PLACE;
    if (c && /^\d{4,5}$/.test(c)) place = this.resolveCommuneCode(c);
    else if (c && this.units.communeCodesByName) {
      const key = `${c}|${provinceCode ?? ''}`;
      const cached = this.communeCache.get(key);
      if (cached) place = cached;
      else {
        const codes = this.units.communeCodesByName(c, provinceCode);
        const resolved = codes.map((code) => this.resolveCommuneCode(code));
        const communes = unique(resolved.flatMap((p) => p.communes));
        place = {
          communes,
          split: communes.length > 1,
          provinces: unique(resolved.flatMap((p) => p.provinces)),
        };
        this.communeCache.set(key, place);
      }
    }
    if (provinceCode) {
      // A stated province restricts an ambiguous commune name; otherwise it only adds the province.
      const inProvince = place.communes.filter((code) => this.units.provinceOfCommune(code) === provinceCode);
      if (inProvince.length && inProvince.length < place.communes.length) {
        place = { communes: inProvince, split: inProvince.length > 1, provinces: [provinceCode] };
      } else if (!place.provinces.includes(provinceCode)) {
        place = { ...place, provinces: [...place.provinces, provinceCode] };
      }
    }
    return place;
  }
}

const EMPTY_PLACE: ResolvedPlace = { communes: [], split: false, provinces: [] };

const KEYBOARDS = [decodeTelex, decodeVni];

/** A name as typed, then as decoded from Telex and from VNI when it reads differently that way (the online search queries each). */
export function nameReadings(raw: string): VietnameseNameParts[] {
  const asTyped = splitVietnameseName(raw);
  const decoded = KEYBOARDS.map((decode) => decodedName(raw, decode)).filter((n): n is VietnameseNameParts => !!n);
  return [asTyped, ...decoded.filter((n, i) => decoded.findIndex((m) => m.full === n.full) === i)];
}

/**
 * The name as the typist meant it, when it was typed with the input method off: only text of
 * printable ASCII (typed Telex and VNI are nothing else) that decodes to something else. Undefined
 * otherwise, or when the decoded name is the same once normalised.
 */
function decodedName(raw: string | undefined, decode: (text: string) => string): VietnameseNameParts | undefined {
  const text = raw?.normalize('NFC').trim();
  if (!text || !/^[\x20-\x7e]+$/.test(text)) return undefined;
  const decoded = decode(text);
  if (decoded === text) return undefined;
  const parts = splitVietnameseName(decoded);
  return parts.full && parts.full !== splitVietnameseName(text).full ? parts : undefined;
}

function optionalName(raw: string | undefined): VietnameseNameParts | undefined {
  if (!raw) return undefined;
  const parts = splitVietnameseName(raw);
  return parts.full ? parts : undefined;
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}
