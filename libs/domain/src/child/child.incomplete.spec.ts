import { DeciderSpecification } from '../testing/decider-specification';
import { FAKE_UNITS, NOW } from '../testing/fixtures';
import type { ChildCommand } from './child.commands';
import { childDecider } from './child.decider';
import type { ChildEvent } from './child.events';
import type { RegisteredChildState } from './child.state';

// Incomplete records: an imported child whose sex is empty, or whose stated personal ID does not fit
// the child (a parent's number), is registered with the field listed as work to finish.
const spec = DeciderSpecification.for(childDecider);
const context = { now: NOW, units: FAKE_UNITS };
const at = NOW.toISOString();
type Register = Extract<ChildCommand, { type: 'RegisterChild' }>['data'];
const base: Register = {
  childId: 'c1',
  fullName: 'Nguyễn Thị Thu Hà',
  dateOfBirth: '2015-03-02',
  residence: { communeCode: '00004', effectiveFrom: '2015-03-02' },
};
const register = (data: Partial<Register>): ChildCommand => ({ type: 'RegisterChild', data: { ...base, ...data }, context });
const correct = (changes: Extract<ChildCommand, { type: 'CorrectChildDetails' }>['data']['changes']): ChildCommand => ({
  type: 'CorrectChildDetails',
  data: { changes, reason: 'hoàn thiện hồ sơ' },
  context,
});
const PARENT_ID = '001185012345'; // a woman born in 1985
const CHILD_ID = '001315012345'; // a girl born in 2015

const registered = (data: Record<string, unknown>, personal: Record<string, unknown> = {}): ChildEvent =>
  ({
    type: 'ChildRegistered',
    schemaVersion: 1,
    data: {
      childId: 'c1',
      ...data,
      residence: base.residence,
      registeredAt: at,
      personal: { fullName: base.fullName, dateOfBirth: base.dateOfBirth, ...personal },
    },
  }) as ChildEvent;

describe('childDecider: incomplete records', () => {
  it('registers a child without a sex only when incomplete holds sex', () => {
    const state = spec
      .given([])
      .when(register({ incomplete: ['sex'] }))
      .then([registered({ incomplete: ['sex'] })]) as RegisteredChildState;
    expect(state.sex).toBeUndefined();
    expect(state.incomplete).toEqual(['sex']);
    spec.given([]).when(register({})).thenThrows('INVALID_INPUT', 'sex');
    spec
      .given([])
      .when(register({ sex: 'F', incomplete: ['sex'] }))
      .thenThrows('INVALID_INPUT', 'sex');
    spec
      .given([])
      .when(register({ sex: 'F', incomplete: ['age' as never] }))
      .thenThrows('INVALID_INPUT', 'incomplete');
  });

  it('checks a stated personal ID against the date of birth only while the sex is not known', () => {
    spec
      .given([])
      .when(register({ incomplete: ['sex'], personalId: CHILD_ID }))
      .then([registered({ incomplete: ['sex'] }, { personalId: CHILD_ID })]);
    spec
      .given([])
      .when(register({ incomplete: ['sex'], personalId: PARENT_ID }))
      .thenThrows('INVALID_PERSONAL_ID', 'personalId');
  });

  it('keeps a personal ID that does not fit the child aside (personal part), never as the child’s number', () => {
    const state = spec
      .given([])
      .when(register({ sex: 'F', incomplete: ['personalId'], unverifiedPersonalId: PARENT_ID }))
      .then([registered({ sex: 'F', incomplete: ['personalId'] }, { unverifiedPersonalId: PARENT_ID })]) as RegisteredChildState;
    expect(state.personalId).toBeUndefined();
    expect(state.unverifiedPersonalId).toBe(PARENT_ID);
    spec
      .given([])
      .when(register({ sex: 'F', incomplete: ['personalId'] }))
      .thenThrows('INVALID_INPUT', 'unverifiedPersonalId');
    spec
      .given([])
      .when(register({ sex: 'F', unverifiedPersonalId: PARENT_ID }))
      .thenThrows('INVALID_INPUT', 'unverifiedPersonalId');
    spec
      .given([])
      .when(register({ sex: 'F', incomplete: ['personalId'], unverifiedPersonalId: PARENT_ID, personalId: CHILD_ID }))
      .thenThrows('INVALID_INPUT', 'personalId');
  });

  it('a correction of the sex completes the record; the sex must agree with a stated number', () => {
    const given = [registered({ incomplete: ['sex', 'personalId'] }, { unverifiedPersonalId: PARENT_ID })];
    const state = spec
      .given(given)
      .when(correct({ sex: 'F' }))
      .then([
        {
          type: 'ChildDetailsCorrected',
          schemaVersion: 1,
          data: { childId: 'c1', correctedFields: ['sex'], sex: 'F', personal: { reason: 'hoàn thiện hồ sơ' }, correctedAt: at },
        },
      ]) as RegisteredChildState;
    expect(state.sex).toBe('F');
    expect(state.incomplete).toEqual(['personalId']);
    expect(state.unverifiedPersonalId).toBe(PARENT_ID);
    spec
      .given([registered({ incomplete: ['sex'] }, { personalId: CHILD_ID })])
      .when(correct({ sex: 'M' }))
      .thenThrows('INVALID_PERSONAL_ID', 'changes.sex');
  });

  it('stating the personal ID (or none) completes it and drops the number kept aside', () => {
    const given = [registered({ sex: 'F', incomplete: ['personalId'] }, { unverifiedPersonalId: PARENT_ID })];
    const withNumber = spec
      .given(given)
      .when(correct({ personalId: CHILD_ID }))
      .then([
        {
          type: 'ChildDetailsCorrected',
          schemaVersion: 1,
          data: { childId: 'c1', correctedFields: ['personalId'], personal: { personalId: CHILD_ID, reason: 'hoàn thiện hồ sơ' }, correctedAt: at },
        },
      ]) as RegisteredChildState;
    expect(withNumber.incomplete).toBeUndefined();
    expect(withNumber.unverifiedPersonalId).toBeUndefined();
    expect(withNumber.personalId).toBe(CHILD_ID);
    const none = spec
      .given(given)
      .when(correct({ personalId: null }))
      .then([
        {
          type: 'ChildDetailsCorrected',
          schemaVersion: 1,
          data: { childId: 'c1', correctedFields: ['personalId'], personal: { personalId: null, reason: 'hoàn thiện hồ sơ' }, correctedAt: at },
        },
      ]) as RegisteredChildState;
    expect(none.incomplete).toBeUndefined();
    expect(none.unverifiedPersonalId).toBeUndefined();
  });
});
