import { addPosting, EMPTY, KeyTable, NumericBlocking, type KeySink } from '../blocking/numeric-blocking';
import type { PreparedRecord, PreparedResident } from '../model/person.model';

/**
 * Which records of a partition have a candidate outside it: a resident that shares a blocking key
 * with the record (the default rules, as the batch's scan looks them up) and does not live in the
 * record's province. A record without one has, in its partition, exactly the candidates a national
 * run gives it, hence the same decision with the same model; a record with one must be decided
 * over the national candidates (the cross-province pass), or its partition's link may be one the
 * national run would send to review because of a rival in another province.
 *
 * Only keys are looked up, nothing is compared: the split, which prepares every resident anyway,
 * does it while it reads the residents.
 */
export class CrossProvinceProbe {
  private readonly blocking = new NumericBlocking();
  private readonly tables: KeyTable[] = [];
  private readonly lists: number[][] = [];
  private readonly provinces: string[] = [];
  private readonly refs: string[] = [];
  private exposedFlags = new Uint8Array(1024);
  private resident: PreparedResident | undefined;
  private current = 0;
  private readonly meet: KeySink = (rule, a, b, c) => this.meetKey(rule, a, b, c);
  exposedCount = 0;

  /** Indexes a record placed in `province` under its blocking keys (as typed and as each reading). */
  addRecord(record: PreparedRecord, province: string): void {
    const i = this.provinces.length;
    this.provinces.push(province);
    this.refs.push(record.recordRef);
    if (i >= this.exposedFlags.length) {
      const grown = new Uint8Array(this.exposedFlags.length * 2);
      grown.set(this.exposedFlags);
      this.exposedFlags = grown;
    }
    this.current = i;
    this.blocking.recordKeys(record, this.add);
  }

  private readonly add: KeySink = (rule, a, b, c) => {
    while (this.tables.length <= rule) this.tables.push(new KeyTable());
    addPosting(this.tables[rule] as KeyTable, this.lists, a, b, c, this.current);
  };

  /** Marks the records this resident is a candidate of, when it does not live in their province. */
  scan(resident: PreparedResident): void {
    this.resident = resident;
    this.blocking.residentKeys(resident, this.meet);
    this.resident = undefined;
  }

  private meetKey(rule: number, a: number, b: number, c: number): void {
    const table = this.tables[rule];
    if (!table) return;
    const found = table.get(a, b, c);
    if (found === EMPTY) return;
    if (found >= 0) this.check(found);
    else for (const i of this.lists[-found - 1] as number[]) this.check(i);
  }

  private check(i: number): void {
    if (this.exposedFlags[i]) return;
    const resident = this.resident as PreparedResident;
    if (resident.provinces.includes(this.provinces[i] as string)) return;
    this.exposedFlags[i] = 1;
    this.exposedCount++;
  }

  /** The refs of the records with a candidate outside their partition, in input order. */
  exposed(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.refs.length; i++) if (this.exposedFlags[i]) out.push(this.refs[i] as string);
    return out;
  }
}
