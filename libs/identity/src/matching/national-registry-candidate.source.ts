import { nameReadings, regionalSurnameVariant, type CandidateSource, type ChildRecordInput, type ResidentInput } from '@childledger/matching';
import type { NationalPopulationRegistry, RegistryCallContext, ResidentSearchCriteria } from '../national-registry/national-population-registry.port';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Candidates from the national database's search, one query per blocking rule the engine relies on
 * (name key + sex + birth year, regional surname variant, given name + date of birth and its day/month
 * swap, date of birth + commune / province), run in parallel, united by personal ID. A stated number
 * is also looked up, so that a typo in the name does not hide its owner. Each query carries only the
 * fields of its key.
 */
export class NationalRegistryCandidateSource implements CandidateSource {
  constructor(
    private readonly registry: NationalPopulationRegistry,
    private readonly context: RegistryCallContext,
    private readonly place: { communes: readonly string[]; provinces: readonly string[] } = { communes: [], provinces: [] },
  ) {}

  async findCandidates(record: ChildRecordInput): Promise<readonly ResidentInput[]> {
    const queries = searchCriteriaFor(record, this.place);
    const results = await Promise.all([
      ...queries.map((q) => this.registry.search(q, this.context)),
      ...(record.personalId ? [this.registry.lookup(record.personalId, this.context).then((r) => (r ? [r] : []))] : []),
    ]);
    const byId = new Map<string, ResidentInput>();
    for (const list of results) for (const r of list) if (!byId.has(r.personalId)) byId.set(r.personalId, r);
    return [...byId.values()];
  }
}

export function searchCriteriaFor(record: ChildRecordInput, place: { communes: readonly string[]; provinces: readonly string[] }): ResidentSearchCriteria[] {
  // The name as typed and as decoded from Telex or VNI (typed with the input method off): each is queried.
  const names = nameReadings(record.fullName);
  const dob = record.dateOfBirth;
  const iso = dob?.day !== undefined && dob.month !== undefined ? `${dob.year}-${pad(dob.month)}-${pad(dob.day)}` : undefined;
  const swapped =
    dob?.day !== undefined && dob.month !== undefined && dob.day <= 12 && dob.day !== dob.month ? `${dob.year}-${pad(dob.day)}-${pad(dob.month)}` : undefined;
  const queries: ResidentSearchCriteria[] = [];
  for (const reading of names) {
    const given = reading.givenFolded || undefined;
    if (given && reading.familyFolded && dob) {
      for (const family of [reading.familyFolded, regionalSurnameVariant(reading.familyFolded)]) {
        if (family) queries.push({ familyName: family, givenName: given, birthYear: dob.year });
      }
    }
    for (const date of [iso, swapped]) if (date && given) queries.push({ givenName: given, dateOfBirth: date });
  }
  for (const date of [iso, swapped]) {
    if (!date) continue;
    for (const communeCode of place.communes.slice(0, 4)) queries.push({ dateOfBirth: date, communeCode });
  }
  // The commune is the sharper key; the province only when the commune is unknown.
  if (iso && place.communes.length === 0) for (const provinceCode of place.provinces.slice(0, 2)) queries.push({ dateOfBirth: iso, provinceCode });
  return queries;
}
