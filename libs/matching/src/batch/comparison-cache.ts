import {
  COMPARISONS,
  FIELD_COUNT,
  MISSING,
  compareDates,
  compareNames,
  compareParentNames,
  comparePersonalIds,
  comparePlaces,
} from '../comparison/comparison-levels';
import type { PreparedRecord, PreparedResident } from '../model/person.model';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';

const ID_BITS = 2 ** 26;
const MAX_ENTRIES = 500_000;

/**
 * `comparePair` with each distinct comparison of two names computed once. Vietnamese names repeat a
 * great deal (a few hundred family names, a few thousand given names), so the same pair of
 * normalised names comes back for many record × resident pairs. Every name comparison depends only
 * on the normalised full name (the folded form and the parts are derived from it), so the level is
 * cached by the pair of normalised names: the results are those of `COMPARISONS`, only faster. The
 * other fields (dates, IDs, places) are cheap next to a map look-up and are compared directly.
 * `matches` (a test) checks the field order against `COMPARISONS`.
 */
export class CachedComparator {
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, number>();
  private readonly parents = new Map<number, number>();
  hits = 0;
  misses = 0;

  static readonly FIELDS = ['name', 'dateOfBirth', 'sex', 'personalId', 'place', 'father', 'mother'] as const;

  static matches(): boolean {
    return COMPARISONS.length === FIELD_COUNT && COMPARISONS.every((c, i) => c.field === CachedComparator.FIELDS[i]);
  }

  compare(record: PreparedRecord, resident: PreparedResident, out: Int8Array): void {
    const readings = record.readings;
    out[0] = this.best(record, readings, resident.name, 'name');
    out[1] = compareDates(record.dob, resident.dob);
    out[2] = !record.sex || !resident.sex ? MISSING : record.sex === resident.sex ? 0 : 1;
    out[3] = comparePersonalIds(record, resident);
    out[4] = comparePlaces(record, resident);
    out[5] = this.best(record, readings, resident.father, 'father');
    out[6] = this.best(record, readings, resident.mother, 'mother');
  }

  /** The best level over the record's readings (as `bestReading` in comparison-levels). */
  private best(
    record: PreparedRecord,
    readings: readonly PreparedRecord[] | undefined,
    theirs: VietnameseNameParts | undefined,
    field: 'name' | 'father' | 'mother',
  ): number {
    let best = this.level(record[field], theirs, field);
    if (!readings) return best;
    for (const reading of readings) {
      const l = this.level(reading[field], theirs, field);
      if (l !== MISSING && (best === MISSING || l < best)) best = l;
    }
    return best;
  }

  private level(ours: VietnameseNameParts | undefined, theirs: VietnameseNameParts | undefined, field: 'name' | 'father' | 'mother'): number {
    const child = field === 'name';
    if (!ours || !theirs) return child ? compareNames(ours as VietnameseNameParts, theirs as VietnameseNameParts) : MISSING;
    const a = this.idOf(ours.full);
    const b = this.idOf(theirs.full);
    const cache = child ? this.names : this.parents;
    if (a >= ID_BITS || b >= ID_BITS) return child ? compareNames(ours, theirs) : compareParentNames(ours, theirs);
    const key = a * ID_BITS + b;
    const cached = cache.get(key);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const l = child ? compareNames(ours, theirs) : compareParentNames(ours, theirs);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, l);
    return l;
  }

  private idOf(full: string): number {
    let id = this.ids.get(full);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(full, id);
    }
    return id;
  }
}
