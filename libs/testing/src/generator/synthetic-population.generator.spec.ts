import { generateScenario } from './synthetic-population.generator';

describe(generateScenario.name, () => {
  const scenario = generateScenario({ seed: 5, households: 800, records: 400 });

  it('is deterministic for a seed', () => {
    const again = generateScenario({ seed: 5, households: 800, records: 400 });
    expect(again.records).toEqual(scenario.records);
    expect(again.residents).toEqual(scenario.residents);
    expect(generateScenario({ seed: 6, households: 800, records: 400 }).records).not.toEqual(scenario.records);
  });

  it('issues unique IDs consistent with birth year, sex and birth province (national-id.md)', () => {
    const ids = new Set<string>();
    for (const r of scenario.residents) {
      expect(r.personal_id).toMatch(/^0\d{11}$/);
      expect(ids.has(r.personal_id)).toBe(false);
      ids.add(r.personal_id);
      const year = Number(r.date_of_birth.slice(0, 4));
      expect(Number(r.personal_id[3])).toBe((Math.floor(year / 100) - 19) * 2 + (r.sex === 'F' ? 1 : 0));
      expect(r.personal_id.slice(4, 6)).toBe(String(year % 100).padStart(2, '0'));
      expect(r.personal_id.slice(1, 3)).toBe(r.birth_registration_province_code);
    }
  });

  it('has ground truth for every record, with children who have no national record', () => {
    expect(scenario.truth.size).toBe(400);
    const ids = new Set(scenario.residents.map((r) => r.personal_id));
    const unregistered = [...scenario.truth.values()].filter((id) => id === '').length;
    expect(unregistered).toBeGreaterThan(20);
    expect(unregistered).toBeLessThan(80);
    for (const id of scenario.truth.values()) if (id) expect(ids.has(id)).toBe(true);
  });

  it('contains twins and same-name neighbours', () => {
    const children = scenario.residents.filter((r) => r.mother_personal_id);
    const byBirth = new Map<string, number>();
    for (const c of children) byBirth.set(`${c.mother_personal_id}|${c.date_of_birth}`, (byBirth.get(`${c.mother_personal_id}|${c.date_of_birth}`) ?? 0) + 1);
    expect([...byBirth.values()].some((n) => n > 1)).toBe(true);
    const byName = new Map<string, Set<string>>();
    for (const c of children)
      byName.set(
        `${c.full_name}|${c.residence_commune_code}`,
        (byName.get(`${c.full_name}|${c.residence_commune_code}`) ?? new Set()).add(c.mother_personal_id),
      );
    expect([...byName.values()].some((mothers) => mothers.size > 1)).toBe(true);
  });

  it('makes the spreadsheet errors officers make', () => {
    const names = scenario.records.map((r) => r.full_name);
    expect(names.some((n) => /^[\x20-\x7e]+$/.test(n) && /[a-z]/i.test(n))).toBe(true); // diacritics dropped
    expect(names.some((n) => n !== n.normalize('NFC'))).toBe(true); // NFD
    const dates = scenario.records.map((r) => r.date_of_birth);
    for (const re of [/^\d{2}\/\d{2}\/\d{4}$/, /^\d{4}-\d{2}-\d{2}$/, /^\d{2}-\d{2}-\d{4}$/, /^\d{4}$/, /^\d{2}\/\d{4}$/])
      expect(dates.some((d) => re.test(d))).toBe(true);
    const communes = scenario.records.map((r) => r.commune);
    expect(communes.some((c) => /^\d{5}$/.test(c))).toBe(true);
    expect(communes.some((c) => c !== '' && !/^\d+$/.test(c))).toBe(true);
  });
});
