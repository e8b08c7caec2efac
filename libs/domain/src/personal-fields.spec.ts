import { CASE_EVENT_TYPES } from './case/case.events';
import { CHILD_EVENT_TYPES } from './child/child.events';
import { EVENT_SCHEMA_VERSIONS, PERSONAL_FIELDS } from './personal-fields';

describe('PERSONAL_FIELDS', () => {
  it('covers every event type, each at schema version 1', () => {
    expect(Object.keys(PERSONAL_FIELDS).sort()).toEqual([...CHILD_EVENT_TYPES, ...CASE_EVENT_TYPES].sort());
    expect(new Set(Object.values(EVENT_SCHEMA_VERSIONS))).toEqual(new Set([1]));
  });

  it('lists only paths under data.personal', () => {
    for (const paths of Object.values(PERSONAL_FIELDS)) for (const p of paths) expect(p).toMatch(/^personal\.\w+$/);
  });

  it('marks names, date of birth, personal ID, parents and notes of a registration as personal', () => {
    expect(PERSONAL_FIELDS.ChildRegistered).toEqual(
      expect.arrayContaining([
        'personal.fullName',
        'personal.dateOfBirth',
        'personal.personalId',
        'personal.motherName',
        'personal.fatherName',
        'personal.notes',
      ]),
    );
    expect(PERSONAL_FIELDS.NationalIdLinked).toEqual(['personal.personalId']);
  });

  it("puts every free-text reason under data.personal, except the erasure's legal reason", () => {
    const withReason = Object.entries(PERSONAL_FIELDS)
      .filter(([, paths]) => paths.includes('personal.reason'))
      .map(([type]) => type);
    expect(withReason.sort()).toEqual(
      [
        'ChildDetailsCorrected',
        'SpecialCircumstanceEnded',
        'NationalIdUnlinked',
        'IdentityReviewRequested',
        'ChildRecordsMerged',
        'ChildRecordsMergeReverted',
        'CaseReferred',
        'CaseReopened',
      ].sort(),
    );
    expect(PERSONAL_FIELDS.ChildPersonalDataErased).toEqual([]);
  });
});
