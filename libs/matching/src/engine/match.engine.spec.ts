import { InMemoryCandidateSource } from '../blocking/in-memory-candidate.source';
import type { ResidentInput } from '../model/person.model';
import { MatchEngine, candidateProbabilities } from './match.engine';

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
