import { InMemoryCandidateSource } from '../blocking/in-memory-candidate.source';
import type { ResidentInput } from '../model/person.model';
import { COMPARISONS, DATE_LEVEL, MISSING, NAME_LEVEL, PERSONAL_ID_LEVEL } from '../comparison/comparison-levels';
import { MatchEngine, candidateProbabilities, identifiesChild } from './match.engine';

const mother = { motherFullName: 'Trần Thị Mai', motherPersonalId: '001190000001', fatherFullName: 'Nguyễn Văn Hùng', fatherPersonalId: '001088000002' };
const residents: ResidentInput[] = [
  { personalId: '001215000101', fullName: 'Nguyễn Minh Khang', sex: 'M', dateOfBirth: '2015-03-07', residenceCommuneCode: '00004', ...mother },
  // twins: same parents, same birth date, same commune
  { personalId: '001316000202', fullName: 'Nguyễn Thị Thu Hà', sex: 'F', dateOfBirth: '2016-05-20', residenceCommuneCode: '00004', ...mother },
  { personalId: '001316000203', fullName: 'Nguyễn Thị Thu Hằng', sex: 'F', dateOfBirth: '2016-05-20', residenceCommuneCode: '00004', ...mother },
  { personalId: '079318000304', fullName: 'Lê Bảo Ngọc', sex: 'F', dateOfBirth: '2018-11-02', residenceCommuneCode: '26734' },
];

describe(MatchEngine.name, () => {
  const engine = new MatchEngine();
  const source = new InMemoryCandidateSource(residents, engine.preparer);

  it('links a noisy record and explains each field', async () => {
    const decision = await engine.match(
      { recordRef: 'A1', fullName: 'NGUYEN KHANG', dateOfBirth: { year: 2015, month: 7, day: 3 }, sex: 'M', commune: '00004', motherFullName: 'Tran Thi Mai' },
      source,
    );
    expect(decision).toMatchObject({ decision: 'linked', personalId: '001215000101' });
    expect(decision.explanation).toMatch(/Name: same family and given name, middle name missing/);
    expect(decision.explanation).toMatch(/Date of birth: day and month swapped \(\+/);
    expect(decision.candidates[0]?.fields.find((f) => f.field === 'personalId')).toMatchObject({ agrees: null, weight: 0 });
  });

  it('tells twins apart by their given names', async () => {
    const decision = await engine.match(
      {
        recordRef: 'T1',
        fullName: 'Nguyễn Thị Thu Hằng',
        dateOfBirth: { year: 2016, month: 5, day: 20 },
        sex: 'F',
        commune: '00004',
        motherFullName: 'Trần Thị Mai',
      },
      source,
    );
    expect(decision).toMatchObject({ decision: 'linked', personalId: '001316000203' });
  });

  it('sends a record that fits two residents equally to review', async () => {
    const decision = await engine.match(
      { recordRef: 'T2', fullName: 'Nguyễn Thị Thu', dateOfBirth: { year: 2016, month: 5, day: 20 }, sex: 'F', commune: '00004' },
      source,
    );
    expect(decision.decision).not.toBe('linked');
  });

  it('does not link a sibling with no national record, even with the same parents and commune', async () => {
    const decision = await engine.match(
      {
        recordRef: 'S1',
        fullName: 'Nguyễn Minh Quân',
        dateOfBirth: { year: 2020, month: 1, day: 9 },
        sex: 'M',
        commune: '00004',
        motherFullName: 'Trần Thị Mai',
        fatherFullName: 'Nguyễn Văn Hùng',
      },
      source,
    );
    expect(decision.decision).not.toBe('linked');
  });

  it('links a record with no date of birth by its name, parents and commune; its sibling with no national record still is not', async () => {
    const child = await engine.match(
      { recordRef: 'D1', fullName: 'Nguyễn Minh Khang', sex: 'M', commune: '00004', motherFullName: 'Trần Thị Mai', fatherFullName: 'Nguyễn Văn Hùng' },
      source,
    );
    expect(child).toMatchObject({ decision: 'linked', personalId: '001215000101' });
    expect(child.explanation).toMatch(/Date of birth: not compared/);
    const sibling = await engine.match(
      { recordRef: 'D2', fullName: 'Nguyễn Minh Quân', sex: 'M', commune: '00004', motherFullName: 'Trần Thị Mai', fatherFullName: 'Nguyễn Văn Hùng' },
      source,
    );
    expect(sibling.decision).not.toBe('linked');
  });

  it('links a record whose date of birth is a few days off', async () => {
    const decision = await engine.match(
      {
        recordRef: 'D3',
        fullName: 'Nguyễn Minh Khang',
        dateOfBirth: { year: 2015, month: 3, day: 19 },
        sex: 'M',
        commune: '00004',
        motherFullName: 'Trần Thị Mai',
        fatherFullName: 'Nguyễn Văn Hùng',
      },
      source,
    );
    expect(decision).toMatchObject({ decision: 'linked', personalId: '001215000101' });
    expect(decision.explanation).toMatch(/Date of birth: within a month/);
  });

  it("warns when the stated ID is a parent's, and still finds the child", async () => {
    const decision = await engine.match(
      { recordRef: 'P1', fullName: 'Nguyễn Minh Khang', dateOfBirth: { year: 2015, month: 3, day: 7 }, sex: 'M', personalId: '001190000001', commune: '00004' },
      source,
    );
    expect(decision).toMatchObject({ decision: 'linked', personalId: '001215000101' });
    expect(decision.warnings[0]).toMatch(/born 1990/);
    expect(decision.explanation).toMatch(/parent's ID written in the child's column/);
  });

  it('reports no_match with no candidates', async () => {
    const decision = await engine.match({ recordRef: 'N1', fullName: 'Hà Văn Vắng', dateOfBirth: { year: 2012 } }, source);
    expect(decision).toMatchObject({ decision: 'no_match', candidates: [] });
  });
});

describe(candidateProbabilities.name, () => {
  it('shares probability between equally good candidates', () => {
    const [a, b] = candidateProbabilities([40, 40], -20);
    expect(a).toBeCloseTo(0.5, 3);
    expect(b).toBeCloseTo(0.5, 3);
  });
});

describe(identifiesChild.name, () => {
  const field = (name: string) => COMPARISONS.findIndex((c) => c.field === name);
  const vector = (levels: Partial<Record<string, number>>) => {
    const v = new Int8Array(COMPARISONS.length).fill(MISSING);
    for (const [name, level] of Object.entries(levels)) v[field(name)] = level as number;
    return v;
  };
  it.each([
    ['name and date agree', { name: NAME_LEVEL.exact, dateOfBirth: DATE_LEVEL.year_only }, true],
    ['name agrees, date within a month', { name: NAME_LEVEL.exact_without_diacritics, dateOfBirth: DATE_LEVEL.within_a_month }, true],
    ['name agrees, date within a month, the sexes differ', { name: NAME_LEVEL.exact, dateOfBirth: DATE_LEVEL.within_a_month, sex: 1 }, false],
    ['name and exact date agree, the sexes differ (a wrong sex in the record)', { name: NAME_LEVEL.exact, dateOfBirth: DATE_LEVEL.exact, sex: 1 }, true],
    ['name agrees, no date on one side', { name: NAME_LEVEL.middle_name_missing }, true],
    ['name agrees, no date, the sexes differ (a brother and a sister of the same given name)', { name: NAME_LEVEL.middle_name_missing, sex: 1 }, false],
    ['name agrees, no date, the same sex', { name: NAME_LEVEL.exact, sex: 0 }, true],
    ['name agrees, another date in the same year (a sibling)', { name: NAME_LEVEL.exact, dateOfBirth: DATE_LEVEL.same_year }, false],
    ['a similar name (An/Anh), no date', { name: NAME_LEVEL.similar }, false],
    ['a similar name, the same date', { name: NAME_LEVEL.similar, dateOfBirth: DATE_LEVEL.exact }, false],
    ['only the ID and the date', { personalId: PERSONAL_ID_LEVEL.exact, dateOfBirth: DATE_LEVEL.exact }, true],
    ['the ID, no name or date agreeing', { personalId: PERSONAL_ID_LEVEL.exact, name: NAME_LEVEL.different }, false],
    ['household fields only', { name: NAME_LEVEL.given_name_only, place: 0, father: 0, mother: 0 }, false],
  ])('%s: %p', (_, levels, expected) => {
    expect(identifiesChild(vector(levels))).toBe(expected);
  });
});
