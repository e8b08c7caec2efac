import type { Pool } from 'pg';
import { foldVietnamese, splitVietnameseName, type ResidentInput } from '@childledger/matching';
import type { ResidentSearchCriteria, VerificationDetails } from '../national-registry/national-population-registry.port';

interface ResidentRow {
  personal_id: string;
  full_name: string;
  sex: 'M' | 'F' | null;
  date_of_birth: string | null;
  birth_registration_province_code: string | null;
  residence_commune_code: string | null;
  father_full_name: string | null;
  mother_full_name: string | null;
}

// What a look-up sends back: what matching compares, nothing more (no parents' numbers, no
// household, ethnicity or religion, which the real database also holds).
const RETURNED = `personal_id, full_name, sex, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  birth_registration_province_code, residence_commune_code, father_full_name, mother_full_name`;

const toResident = (r: ResidentRow): ResidentInput => ({
  personalId: r.personal_id,
  fullName: r.full_name,
  ...(r.sex ? { sex: r.sex } : {}),
  ...(r.date_of_birth ? { dateOfBirth: r.date_of_birth } : {}),
  ...(r.birth_registration_province_code ? { birthRegistrationProvinceCode: r.birth_registration_province_code } : {}),
  ...(r.residence_commune_code ? { residenceCommuneCode: r.residence_commune_code } : {}),
  ...(r.father_full_name ? { fatherFullName: r.father_full_name } : {}),
  ...(r.mother_full_name ? { motherFullName: r.mother_full_name } : {}),
});

/** Searches must narrow: a name part or a date, and at least two criteria. */
export class SearchTooBroadError extends Error {
  constructor() {
    super('a search needs at least two criteria, one of them a name (familyName or givenName) or a date (dateOfBirth or birthYear)');
    this.name = 'SearchTooBroadError';
  }
}

/** The sandbox national database's residents, in its own table. */
export class SandboxResidentsStore {
  constructor(
    private readonly pool: Pool,
    /** Current province of a commune code, to answer searches by province. */
    private readonly provinceOfCommune: (communeCode: string) => string | undefined = () => undefined,
  ) {}

  async count(): Promise<number> {
    const res = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM sandbox_residents');
    return Number(res.rows[0]?.n ?? 0);
  }

  /** Inserts residents in batches; an existing personal ID is left as it is. Returns the number inserted. */
  async seed(residents: AsyncIterable<ResidentInput> | Iterable<ResidentInput>, batchSize = 2000): Promise<number> {
    let inserted = 0;
    let batch: ResidentInput[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      inserted += await this.insert(batch);
      batch = [];
    };
    for await (const r of residents) {
      batch.push(r);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return inserted;
  }

  private async insert(batch: ResidentInput[]): Promise<number> {
    const cols: (string | number | null)[][] = Array.from({ length: 13 }, () => []);
    for (const r of batch) {
      const name = splitVietnameseName(r.fullName);
      const dob = r.dateOfBirth && /^\d{4}-\d{2}-\d{2}$/.test(r.dateOfBirth) ? r.dateOfBirth : null;
      const values = [
        r.personalId,
        r.fullName.normalize('NFC'),
        name.familyFolded,
        name.givenFolded,
        name.fullFolded,
        r.sex ?? null,
        dob,
        dob ? Number(dob.slice(0, 4)) : null,
        r.birthRegistrationProvinceCode ?? null,
        r.residenceCommuneCode ?? null,
        r.residenceCommuneCode ? (this.provinceOfCommune(r.residenceCommuneCode) ?? null) : null,
        r.fatherFullName || null,
        r.motherFullName || null,
      ];
      values.forEach((v, i) => cols[i]?.push(v));
    }
    const res = await this.pool.query(
      `INSERT INTO sandbox_residents (personal_id, full_name, family_folded, given_folded, full_folded, sex, date_of_birth, birth_year,
         birth_registration_province_code, residence_commune_code, residence_province_code, father_full_name, mother_full_name)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::int[],
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
       ON CONFLICT (personal_id) DO NOTHING`,
      cols,
    );
    return res.rowCount ?? 0;
  }

  async search(criteria: ResidentSearchCriteria, limit: number): Promise<ResidentInput[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (criteria.familyName) add('family_folded = ?', foldVietnamese(criteria.familyName));
    if (criteria.givenName) add('given_folded = ?', foldVietnamese(criteria.givenName));
    if (criteria.birthYear !== undefined) add('birth_year = ?', criteria.birthYear);
    if (criteria.dateOfBirth) add('date_of_birth = ?::date', criteria.dateOfBirth);
    if (criteria.sex) add('sex = ?', criteria.sex);
    if (criteria.communeCode) add('residence_commune_code = ?', criteria.communeCode);
    if (criteria.provinceCode) add('residence_province_code = ?', criteria.provinceCode);
    const narrowing = !!(criteria.familyName || criteria.givenName || criteria.dateOfBirth || criteria.birthYear !== undefined);
    if (where.length < 2 || !narrowing) throw new SearchTooBroadError();
    params.push(limit);
    const res = await this.pool.query<ResidentRow>(
      `SELECT ${RETURNED} FROM sandbox_residents WHERE ${where.join(' AND ')} ORDER BY personal_id LIMIT $${params.length}`,
      params,
    );
    return res.rows.map(toResident);
  }

  async lookup(personalId: string): Promise<ResidentInput | undefined> {
    const res = await this.pool.query<ResidentRow>(`SELECT ${RETURNED} FROM sandbox_residents WHERE personal_id = $1`, [personalId]);
    return res.rows[0] ? toResident(res.rows[0]) : undefined;
  }

  /**
   * Yes when a resident holds this number and every stated detail agrees: the name once folded
   * (diacritics, case, spacing and tone placement aside), the date of birth, the sex. No detail, no yes.
   */
  async verify(personalId: string, details: VerificationDetails): Promise<boolean> {
    if (!details.fullName && !details.dateOfBirth && !details.sex) return false;
    const res = await this.pool.query<{ full_folded: string; date_of_birth: string | null; sex: string | null }>(
      `SELECT full_folded, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, sex FROM sandbox_residents WHERE personal_id = $1`,
      [personalId],
    );
    const row = res.rows[0];
    if (!row) return false;
    if (details.fullName !== undefined && splitVietnameseName(details.fullName).fullFolded !== row.full_folded) return false;
    if (details.dateOfBirth !== undefined && details.dateOfBirth !== row.date_of_birth) return false;
    if (details.sex !== undefined && details.sex !== row.sex) return false;
    return true;
  }
}
