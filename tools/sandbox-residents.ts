// Generated residents for the sandbox national database under `npm start` (when the table is empty
// and SANDBOX_RESIDENTS_CSV is unset): a few tens of thousands, with realistic names and places.
import type { ResidentInput } from '@childledger/matching';
import { generateScenario, ResidentRow } from '@childledger/testing';

export const SANDBOX_SEED_HOUSEHOLDS = 8000;

export function* generatedSandboxResidents(households = SANDBOX_SEED_HOUSEHOLDS): Iterable<ResidentInput> {
  for (const r of generateScenario({ seed: 20250701, households, records: 0 }).residents) yield toResident(r);
}

/** A generated residents-file row as the national-database port carries it. */
export function toResident(r: ResidentRow): ResidentInput {
  return {
    personalId: r.personal_id,
    fullName: r.full_name,
    sex: r.sex,
    dateOfBirth: r.date_of_birth,
    birthRegistrationProvinceCode: r.birth_registration_province_code,
    residenceCommuneCode: r.residence_commune_code,
    fatherFullName: r.father_full_name || undefined,
    motherFullName: r.mother_full_name || undefined,
    fatherPersonalId: r.father_personal_id || undefined,
    motherPersonalId: r.mother_personal_id || undefined,
  };
}
