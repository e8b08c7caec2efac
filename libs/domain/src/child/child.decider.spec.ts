import { RegistryError } from '../shared/registry.error';
import { DeciderSpecification } from '../testing/decider-specification';
import { FAKE_UNITS, NOW } from '../testing/fixtures';
import type { ChildCommand } from './child.commands';
import { childDecider } from './child.decider';
import type { ChildEvent, ChildRegistered } from './child.events';

const spec = DeciderSpecification.for(childDecider);
const context = { now: NOW, units: FAKE_UNITS };
const at = NOW.toISOString();
const v = { schemaVersion: 1 };

function command<T extends ChildCommand['type']>(type: T, data: Extract<ChildCommand, { type: T }>['data']): ChildCommand {
  return { type, data, context } as ChildCommand;
}

const registerChild = (data: Partial<Extract<ChildCommand, { type: 'RegisterChild' }>['data']> = {}) =>
  command('RegisterChild', {
    childId: 'c1',
    fullName: 'Nguyễn Thị Thu Hà',
    dateOfBirth: '2015-03-02',
    sex: 'F',
    residence: { communeCode: '00004', effectiveFrom: '2015-03-02' },
    ...data,
  });

const childRegistered = (personal: Partial<ChildRegistered['data']['personal']> = {}): ChildRegistered => ({
  type: 'ChildRegistered',
  ...v,
  data: {
    childId: 'c1',
    sex: 'F',
    residence: { communeCode: '00004', effectiveFrom: '2015-03-02' },
    registeredAt: '2025-01-10T02:00:00.000Z',
    personal: { fullName: 'Nguyễn Thị Thu Hà', dateOfBirth: '2015-03-02', ...personal },
  },
});

const circumstance = (group: number, effectiveFrom = '2024-05-01'): ChildEvent =>
  ({ type: 'SpecialCircumstanceIdentified', ...v, data: { childId: 'c1', group, effectiveFrom, recordedAt: at } }) as ChildEvent;
const risk = (group: number, effectiveFrom = '2024-05-01'): ChildEvent =>
  ({ type: 'RiskIdentified', ...v, data: { childId: 'c1', group, effectiveFrom, recordedAt: at, personal: {} } }) as ChildEvent;
const linked = (personalId = '001315012345'): ChildEvent => ({
  type: 'NationalIdLinked',
  ...v,
  data: { childId: 'c1', source: 'identity_adapter', matchScore: 0.97, linkedAt: at, personal: { personalId } },
});
const merged: ChildEvent = {
  type: 'ChildRecordsMerged',
  ...v,
  data: { childId: 'c1', survivingChildId: 'c2', mergedAt: at, personal: { reason: 'same child' } },
};
const erased: ChildEvent = { type: 'ChildPersonalDataErased', ...v, data: { childId: 'c1', reason: 'court order', erasedAt: at } };

describe('childDecider', () => {
  describe('RegisterChild', () => {
    it('given no record, when registering, then ChildRegistered with personal fields apart and the name NFC-trimmed', () => {
      spec
        .given([])
        .when(
          registerChild({
            fullName: '  Nguyễn   Thị Thu Hà '.normalize('NFD'),
            personalId: '001 3 15 012345',
            motherName: 'Trần Thị Mai',
            fatherName: ' ',
            notes: 'Lives with grandmother',
          }),
        )
        .then([
          {
            type: 'ChildRegistered',
            ...v,
            data: {
              childId: 'c1',
              sex: 'F',
              residence: { communeCode: '00004', effectiveFrom: '2015-03-02' },
              registeredAt: at,
              personal: {
                fullName: 'Nguyễn Thị Thu Hà',
                dateOfBirth: '2015-03-02',
                personalId: '001315012345',
                motherName: 'Trần Thị Mai',
                notes: 'Lives with grandmother',
              },
            },
          },
        ]);
    });

    it('checks the commune against the list in force on the effective date (00007 existed before the reform only)', () => {
      spec
        .given([])
        .when(registerChild({ residence: { communeCode: '00007', effectiveFrom: '2020-01-01' } }))
        .then([
          expect.objectContaining({ data: expect.objectContaining({ residence: { communeCode: '00007', effectiveFrom: '2020-01-01' } }) }),
        ] as ChildEvent[]);
      spec
        .given([])
        .when(registerChild({ residence: { communeCode: '00007', effectiveFrom: '2025-08-01' } }))
        .thenThrows('UNKNOWN_COMMUNE', 'residence.communeCode');
    });

    it('accepts a child one day before the 16th birthday and refuses one on it', () => {
      spec
        .given([])
        .when(registerChild({ dateOfBirth: '2009-09-16', residence: { communeCode: '00004', effectiveFrom: '2025-08-01' } }))
        .then([expect.objectContaining({ type: 'ChildRegistered' })] as ChildEvent[]);
      spec
        .given([])
        .when(registerChild({ dateOfBirth: '2009-09-15' }))
        .thenThrows('CHILD_TOO_OLD', 'dateOfBirth');
    });

    it.each([
      ['already registered', [childRegistered()], {}, 'CHILD_ALREADY_REGISTERED', 'childId'],
      ['birth in the future', [], { dateOfBirth: '2025-09-16' }, 'DATE_IN_FUTURE', 'dateOfBirth'],
      ['malformed birth date', [], { dateOfBirth: '2015-02-30' }, 'INVALID_INPUT', 'dateOfBirth'],
      ['residence before birth', [], { residence: { communeCode: '00004', effectiveFrom: '2015-03-01' } }, 'DATE_BEFORE_BIRTH', 'residence.effectiveFrom'],
      ['residence in the future', [], { residence: { communeCode: '00004', effectiveFrom: '2025-09-16' } }, 'DATE_IN_FUTURE', 'residence.effectiveFrom'],
      ['unknown commune', [], { residence: { communeCode: '99999', effectiveFrom: '2020-01-01' } }, 'UNKNOWN_COMMUNE', 'residence.communeCode'],
      ['empty name', [], { fullName: '   ' }, 'NAME_REQUIRED', 'fullName'],
      ['name over 200 characters', [], { fullName: 'Nguyễn '.repeat(29) + 'Hà' }, 'NAME_TOO_LONG', 'fullName'],
      ['parent name over 200 characters', [], { motherName: 'Ả'.repeat(201) }, 'NAME_TOO_LONG', 'motherName'],
      ['bad sex', [], { sex: 'X' as 'M' }, 'INVALID_INPUT', 'sex'],
      ['no child id', [], { childId: ' ' }, 'INVALID_INPUT', 'childId'],
    ] as const)('refuses %s', (_label, given, data, code, field) => {
      spec
        .given([...given])
        .when(registerChild(data))
        .thenThrows(code, field);
    });

    it.each([
      ['00131501234', 'LENGTH_OR_DIGITS'],
      ['003315012345', 'UNKNOWN_PROVINCE_CODE'],
      ['001215012345', 'CENTURY_SEX_MISMATCH'],
      ['001316012345', 'BIRTH_YEAR_MISMATCH'],
    ] as const)('refuses personal ID %s with INVALID_PERSONAL_ID / %s', (personalId, problem) => {
      spec.given([]).when(registerChild({ personalId })).thenThrows('INVALID_PERSONAL_ID', 'personalId', { personalIdProblem: problem });
    });

    it('a 200-character name is accepted', () => {
      const name = 'Ả'.repeat(200);
      const [e] = childDecider.decide(registerChild({ fullName: name }), childDecider.initialState()) as [ChildRegistered];
      expect(e.data.personal.fullName).toBe(name);
    });
  });

  describe('CorrectChildDetails', () => {
    it('given a registered child, when correcting the name and removing the notes, then only those fields, with the reason', () => {
      spec
        .given([childRegistered({ notes: 'old note' })])
        .when(
          command('CorrectChildDetails', {
            changes: { fullName: 'Nguyễn Thị Thu Hằng', fatherName: undefined, notes: null },
            reason: 'typo in the spreadsheet',
          }),
        )
        .then([
          {
            type: 'ChildDetailsCorrected',
            ...v,
            data: {
              childId: 'c1',
              correctedFields: ['fullName', 'notes'],
              personal: { fullName: 'Nguyễn Thị Thu Hằng', notes: null, reason: 'typo in the spreadsheet' },
              correctedAt: at,
            },
          },
        ]);
    });

    it('then the state has the new values and no removed ones', () => {
      const state = spec
        .given([childRegistered({ notes: 'old note' })])
        .when(command('CorrectChildDetails', { changes: { sex: 'M', personalId: '001215012345', notes: null }, reason: 'birth certificate' }))
        .then([
          {
            type: 'ChildDetailsCorrected',
            ...v,
            data: {
              childId: 'c1',
              correctedFields: ['sex', 'personalId', 'notes'],
              sex: 'M',
              personal: { personalId: '001215012345', notes: null, reason: 'birth certificate' },
              correctedAt: at,
            },
          },
        ]);
      expect(state).toMatchObject({ sex: 'M', personalId: '001215012345' });
      expect(state).not.toHaveProperty('notes');
    });

    it.each([
      ['no reason', { changes: { fullName: 'A B' }, reason: ' ' }, 'MISSING_REASON', 'reason'],
      ['nothing different', { changes: { fullName: ' Nguyễn Thị Thu Hà' }, reason: 'check' }, 'NOTHING_TO_CHANGE', 'changes'],
      ['empty name', { changes: { fullName: '' }, reason: 'r' }, 'NAME_REQUIRED', 'changes.fullName'],
      ['16 at registration', { changes: { dateOfBirth: '2008-01-09' }, reason: 'r' }, 'CHILD_TOO_OLD', 'changes.dateOfBirth'],
      ['birth in the future', { changes: { dateOfBirth: '2026-01-01' }, reason: 'r' }, 'DATE_IN_FUTURE', 'changes.dateOfBirth'],
      ['birth after the residence start', { changes: { dateOfBirth: '2016-01-01' }, reason: 'r' }, 'DATE_BEFORE_BIRTH', 'changes.dateOfBirth'],
      ['an ID that does not fit', { changes: { personalId: '001215012345' }, reason: 'r' }, 'INVALID_PERSONAL_ID', 'changes.personalId'],
    ] as const)('refuses %s', (_label, data, code, field) => {
      spec.given([childRegistered()]).when(command('CorrectChildDetails', data)).thenThrows(code, field);
    });

    it('refuses a sex correction that the linked national ID contradicts', () => {
      spec
        .given([childRegistered(), linked()])
        .when(command('CorrectChildDetails', { changes: { sex: 'M' }, reason: 'r' }))
        .thenThrows('INVALID_PERSONAL_ID', 'changes.sex', { personalIdProblem: 'CENTURY_SEX_MISMATCH' });
    });
  });

  describe('ChangeResidence', () => {
    it('given a child in 00004, when moving to 00025 after the reform, then ResidenceChanged with the previous code', () => {
      spec
        .given([childRegistered()])
        .when(command('ChangeResidence', { communeCode: '00025', effectiveFrom: '2025-08-01' }))
        .then([
          {
            type: 'ResidenceChanged',
            ...v,
            data: { childId: 'c1', communeCode: '00025', effectiveFrom: '2025-08-01', previousCommuneCode: '00004', recordedAt: at },
          },
        ]);
    });

    it.each([
      ['a commune not in force on the date', { communeCode: '00007', effectiveFrom: '2025-08-01' }, 'UNKNOWN_COMMUNE', 'communeCode'],
      ['a date in the future', { communeCode: '00025', effectiveFrom: '2025-10-01' }, 'DATE_IN_FUTURE', 'effectiveFrom'],
      ['a date before birth', { communeCode: '00025', effectiveFrom: '2014-01-01' }, 'DATE_BEFORE_BIRTH', 'effectiveFrom'],
    ] as const)('refuses %s', (_label, data, code, field) => {
      spec.given([childRegistered()]).when(command('ChangeResidence', data)).thenThrows(code, field);
    });

    it('refuses a date before the current residence started', () => {
      spec
        .given([
          childRegistered(),
          {
            type: 'ResidenceChanged',
            ...v,
            data: { childId: 'c1', communeCode: '00025', effectiveFrom: '2020-01-01', previousCommuneCode: '00004', recordedAt: at },
          },
        ])
        .when(command('ChangeResidence', { communeCode: '00004', effectiveFrom: '2019-01-01' }))
        .thenThrows('DATE_OUT_OF_ORDER', 'effectiveFrom');
    });
  });

  describe('special circumstances', () => {
    it('given group 4 active, when identifying group 9, then it is added (several at once)', () => {
      const state = spec
        .given([childRegistered(), circumstance(4)])
        .when(command('IdentifySpecialCircumstance', { group: 9, effectiveFrom: '2025-09-01' }))
        .then([{ type: 'SpecialCircumstanceIdentified', ...v, data: { childId: 'c1', group: 9, effectiveFrom: '2025-09-01', recordedAt: at } }]);
      expect(state).toMatchObject({ circumstances: { 4: '2024-05-01', 9: '2025-09-01' } });
    });

    it('given group 4 active, when ending it, then SpecialCircumstanceEnded and it is no longer active', () => {
      const state = spec
        .given([childRegistered(), circumstance(4)])
        .when(command('EndSpecialCircumstance', { group: 4, effectiveTo: '2025-09-01', reason: 'reassessed' }))
        .then([
          {
            type: 'SpecialCircumstanceEnded',
            ...v,
            data: { childId: 'c1', group: 4, effectiveTo: '2025-09-01', recordedAt: at, personal: { reason: 'reassessed' } },
          },
        ]);
      expect(state).toMatchObject({ circumstances: {} });
    });

    it('refuses a group already active', () => {
      spec
        .given([childRegistered(), circumstance(4)])
        .when(command('IdentifySpecialCircumstance', { group: 4, effectiveFrom: '2025-01-01' }))
        .thenThrows('CIRCUMSTANCE_ALREADY_ACTIVE', 'group');
    });

    it('refuses to end a group that is not active, or was ended already', () => {
      spec
        .given([childRegistered()])
        .when(command('EndSpecialCircumstance', { group: 4, effectiveTo: '2025-01-01' }))
        .thenThrows('CIRCUMSTANCE_NOT_ACTIVE', 'group');
      spec
        .given([
          childRegistered(),
          circumstance(4),
          { type: 'SpecialCircumstanceEnded', ...v, data: { childId: 'c1', group: 4, effectiveTo: '2025-01-01', recordedAt: at, personal: {} } },
        ])
        .when(command('EndSpecialCircumstance', { group: 4, effectiveTo: '2025-02-01' }))
        .thenThrows('CIRCUMSTANCE_NOT_ACTIVE', 'group');
    });

    it.each([0, 15, 2.5])('refuses group %p', (group) => {
      spec
        .given([childRegistered()])
        .when(command('IdentifySpecialCircumstance', { group, effectiveFrom: '2025-01-01' }))
        .thenThrows('INVALID_INPUT', 'group');
    });

    it('refuses an end before the start, a start in the future and a start before birth', () => {
      spec
        .given([childRegistered(), circumstance(4)])
        .when(command('EndSpecialCircumstance', { group: 4, effectiveTo: '2024-04-30' }))
        .thenThrows('DATE_OUT_OF_ORDER', 'effectiveTo');
      spec
        .given([childRegistered()])
        .when(command('IdentifySpecialCircumstance', { group: 1, effectiveFrom: '2025-09-16' }))
        .thenThrows('DATE_IN_FUTURE', 'effectiveFrom');
      spec
        .given([childRegistered()])
        .when(command('IdentifySpecialCircumstance', { group: 1, effectiveFrom: '2015-03-01' }))
        .thenThrows('DATE_BEFORE_BIRTH', 'effectiveFrom');
    });
  });

  describe('risks', () => {
    it('given no risk, when identifying a risk of group 9, then RiskIdentified with the description as personal data', () => {
      spec
        .given([childRegistered()])
        .when(command('IdentifyRisk', { group: 9, effectiveFrom: '2025-09-01', description: 'bruises reported by teacher' }))
        .then([
          {
            type: 'RiskIdentified',
            ...v,
            data: { childId: 'c1', group: 9, effectiveFrom: '2025-09-01', recordedAt: at, personal: { description: 'bruises reported by teacher' } },
          },
        ]);
    });

    it('given a risk of group 9, when resolving it, then RiskResolved with the outcome', () => {
      spec
        .given([childRegistered(), risk(9)])
        .when(command('ResolveRisk', { group: 9, effectiveTo: '2025-09-01', outcome: 'removed_from_risk' }))
        .then([{ type: 'RiskResolved', ...v, data: { childId: 'c1', group: 9, effectiveTo: '2025-09-01', outcome: 'removed_from_risk', recordedAt: at } }]);
    });

    it('refuses a risk already active, resolving one that is not, and an unknown outcome', () => {
      spec
        .given([childRegistered(), risk(9)])
        .when(command('IdentifyRisk', { group: 9, effectiveFrom: '2025-09-01' }))
        .thenThrows('RISK_ALREADY_ACTIVE', 'group');
      spec
        .given([childRegistered()])
        .when(command('ResolveRisk', { group: 9, effectiveTo: '2025-09-01', outcome: 'removed_from_risk' }))
        .thenThrows('RISK_NOT_ACTIVE', 'group');
      spec
        .given([childRegistered(), risk(9)])
        .when(command('ResolveRisk', { group: 9, effectiveTo: '2025-09-01', outcome: 'vanished' as 'removed_from_risk' }))
        .thenThrows('INVALID_INPUT', 'outcome');
    });
  });

  describe('national identity', () => {
    it('given a registered girl born 2015, when linking 001315012345, then NationalIdLinked', () => {
      spec
        .given([childRegistered()])
        .when(command('LinkNationalId', { personalId: '001315012345', source: 'identity_adapter', matchScore: 0.97 }))
        .then([linked()]);
    });

    it('refuses a second link, and a number that contradicts the record', () => {
      spec
        .given([childRegistered(), linked()])
        .when(command('LinkNationalId', { personalId: '001315012346', source: 'officer' }))
        .thenThrows('NATIONAL_ID_ALREADY_LINKED', 'personalId');
      spec
        .given([childRegistered()])
        .when(command('LinkNationalId', { personalId: '001185012345', source: 'officer' }))
        .thenThrows('INVALID_PERSONAL_ID', 'personalId', { personalIdProblem: 'CENTURY_SEX_MISMATCH' });
      spec
        .given([childRegistered()])
        .when(command('LinkNationalId', { personalId: '001315012345', source: 'officer', matchScore: 2 }))
        .thenThrows('INVALID_INPUT', 'matchScore');
    });

    it('given a link, when unlinking with a reason, then NationalIdUnlinked carries the number as personal data', () => {
      const state = spec
        .given([childRegistered(), linked()])
        .when(command('UnlinkNationalId', { reason: "it was the mother's number" }))
        .then([
          {
            type: 'NationalIdUnlinked',
            ...v,
            data: { childId: 'c1', unlinkedAt: at, personal: { personalId: '001315012345', reason: "it was the mother's number" } },
          },
        ]);
      expect(state).not.toHaveProperty('nationalId');
    });

    it('refuses to unlink without a reason or without a link', () => {
      spec
        .given([childRegistered(), linked()])
        .when(command('UnlinkNationalId', { reason: '' }))
        .thenThrows('MISSING_REASON', 'reason');
      spec
        .given([childRegistered()])
        .when(command('UnlinkNationalId', { reason: 'r' }))
        .thenThrows('NATIONAL_ID_NOT_LINKED', 'personalId');
    });

    it('when asking for a review, then IdentityReviewRequested; a reason is required', () => {
      spec
        .given([childRegistered()])
        .when(command('RequestIdentityReview', { source: 'identity_adapter', reason: 'two candidates above threshold', candidateCount: 2 }))
        .then([
          {
            type: 'IdentityReviewRequested',
            ...v,
            data: { childId: 'c1', source: 'identity_adapter', candidateCount: 2, requestedAt: at, personal: { reason: 'two candidates above threshold' } },
          },
        ]);
      spec
        .given([childRegistered()])
        .when(command('RequestIdentityReview', { source: 'officer', reason: '' }))
        .thenThrows('MISSING_REASON', 'reason');
    });

    it('when no national record matched, then NoNationalRecordFound (a finding); refused while a number is linked', () => {
      const state = spec
        .given([childRegistered()])
        .when(command('RecordNoNationalRecord', { source: 'identity_adapter' }))
        .then([{ type: 'NoNationalRecordFound', ...v, data: { childId: 'c1', source: 'identity_adapter', checkedAt: at } }]);
      expect(state).toMatchObject({ identity: 'no_national_record' });
      spec
        .given([childRegistered(), linked()])
        .when(command('RecordNoNationalRecord', { source: 'identity_adapter' }))
        .thenThrows('NATIONAL_ID_ALREADY_LINKED', 'personalId');
    });
  });

  describe('merges', () => {
    it('given a duplicate, when merging it into c2, then ChildRecordsMerged and the record points to c2', () => {
      const state = spec
        .given([childRegistered()])
        .when(command('MergeChildRecords', { survivingChildId: 'c2', reason: 'same child' }))
        .then([merged]);
      expect(state).toMatchObject({ status: 'merged', survivingChildId: 'c2' });
    });

    it("given a merged record, when erasing it, then ChildPersonalDataErased (a duplicate still holds the child's personal data)", () => {
      const state = spec
        .given([childRegistered(), merged])
        .when(command('ErasePersonalData', { reason: 'Quyết định 12/2025' }))
        .then([{ type: 'ChildPersonalDataErased', ...v, data: { childId: 'c1', reason: 'Quyết định 12/2025', erasedAt: at } }]);
      expect(state).toMatchObject({ status: 'erased' });
    });

    it('given a merged record, it takes no further command but revert and erasure', () => {
      const error = spec
        .given([childRegistered(), merged])
        .when(command('ChangeResidence', { communeCode: '00025', effectiveFrom: '2025-08-01' }))
        .thenThrows('RECORD_MERGED', 'childId');
      expect(error.details).toEqual({ survivingChildId: 'c2' });
      spec
        .given([childRegistered(), merged])
        .when(command('MergeChildRecords', { survivingChildId: 'c3', reason: 'r' }))
        .thenThrows('RECORD_MERGED');
    });

    it('given a merged record, when reverting with a reason, then ChildRecordsMergeReverted and it is active again', () => {
      const state = spec
        .given([childRegistered(), merged])
        .when(command('RevertMerge', { reason: 'different birth dates after all' }))
        .then([
          {
            type: 'ChildRecordsMergeReverted',
            ...v,
            data: { childId: 'c1', survivingChildId: 'c2', revertedAt: at, personal: { reason: 'different birth dates after all' } },
          },
        ]);
      expect(state).toMatchObject({ status: 'active' });
      expect(state).not.toHaveProperty('survivingChildId');
    });

    it('refuses merging into itself, merging without a reason, and reverting what is not merged', () => {
      spec
        .given([childRegistered()])
        .when(command('MergeChildRecords', { survivingChildId: 'c1', reason: 'r' }))
        .thenThrows('CANNOT_MERGE_INTO_ITSELF', 'survivingChildId');
      spec
        .given([childRegistered()])
        .when(command('MergeChildRecords', { survivingChildId: 'c2', reason: '' }))
        .thenThrows('MISSING_REASON', 'reason');
      spec
        .given([childRegistered()])
        .when(command('RevertMerge', { reason: 'r' }))
        .thenThrows('RECORD_NOT_MERGED', 'childId');
      spec
        .given([childRegistered(), merged])
        .when(command('RevertMerge', { reason: '' }))
        .thenThrows('MISSING_REASON', 'reason');
    });
  });

  describe('ErasePersonalData', () => {
    it('given a record, when erasing with a reason, then ChildPersonalDataErased and the state holds no personal field', () => {
      const state = spec
        .given([childRegistered({ personalId: '001315012345', motherName: 'Trần Thị Mai' }), circumstance(4)])
        .when(command('ErasePersonalData', { reason: 'data subject request' }))
        .then([{ type: 'ChildPersonalDataErased', ...v, data: { childId: 'c1', reason: 'data subject request', erasedAt: at } }]);
      expect(state).toEqual({
        status: 'erased',
        childId: 'c1',
        sex: 'F',
        registeredAt: '2025-01-10T02:00:00.000Z',
        residence: { communeCode: '00004', effectiveFrom: '2015-03-02' },
        identity: 'unchecked',
        circumstances: { 4: '2024-05-01' },
        risks: {},
      });
    });

    it('refuses without a reason, and refuses every command afterwards', () => {
      spec
        .given([childRegistered()])
        .when(command('ErasePersonalData', { reason: ' ' }))
        .thenThrows('MISSING_REASON', 'reason');
      spec
        .given([childRegistered(), erased])
        .when(command('IdentifyRisk', { group: 1, effectiveFrom: '2025-01-01' }))
        .thenThrows('RECORD_ERASED', 'childId');
      spec
        .given([childRegistered(), erased])
        .when(command('ErasePersonalData', { reason: 'again' }))
        .thenThrows('RECORD_ERASED');
    });
  });

  it('refuses every command but RegisterChild on an empty stream with CHILD_NOT_FOUND', () => {
    const commands: ChildCommand[] = [
      command('CorrectChildDetails', { changes: { fullName: 'A' }, reason: 'r' }),
      command('ChangeResidence', { communeCode: '00004', effectiveFrom: '2025-08-01' }),
      command('IdentifySpecialCircumstance', { group: 1, effectiveFrom: '2025-01-01' }),
      command('EndSpecialCircumstance', { group: 1, effectiveTo: '2025-01-01' }),
      command('IdentifyRisk', { group: 1, effectiveFrom: '2025-01-01' }),
      command('ResolveRisk', { group: 1, effectiveTo: '2025-01-01', outcome: 'removed_from_risk' }),
      command('LinkNationalId', { personalId: '001315012345', source: 'officer' }),
      command('UnlinkNationalId', { reason: 'r' }),
      command('RequestIdentityReview', { source: 'officer', reason: 'r' }),
      command('RecordNoNationalRecord', { source: 'officer' }),
      command('MergeChildRecords', { survivingChildId: 'c2', reason: 'r' }),
      command('RevertMerge', { reason: 'r' }),
      command('ErasePersonalData', { reason: 'r' }),
    ];
    for (const c of commands) spec.given([]).when(c).thenThrows('CHILD_NOT_FOUND', 'childId');
  });

  it('decides without side effects: the same command on the same state gives the same events', () => {
    const state = childDecider.evolve(childDecider.initialState(), childRegistered());
    const c = command('IdentifySpecialCircumstance', { group: 2, effectiveFrom: '2025-01-01' });
    expect(childDecider.decide(c, state)).toEqual(childDecider.decide(c, state));
    expect(() => childDecider.decide(command('RegisterChild', registerChild().data as never), state)).toThrow(RegistryError);
  });
});
