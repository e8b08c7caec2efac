import { requireActiveRecord } from './record-active';
import type { Decider } from '../shared/decider';
import { addYears, IsoDate, requireIsoDate, requireNotInFuture, vietnamDate } from '../shared/dates';
import { CURRENT_SCHEMA_VERSION } from '../shared/event-schema';
import { RegistryError } from '../shared/registry.error';
import { optionalName, optionalText, requireName, requireOneOf, requireReason, requireText } from '../shared/text';
import type { AdministrativeUnitLookup, ChildCommandContext } from '../shared/context';
import { checkPersonalId, parsePersonalId, Sex } from '../personal-id/personal-id';
import type { ChildCommand } from './child.commands';
import {
  ChildDetailsCorrected,
  ChildEvent,
  CorrectableField,
  IDENTITY_SOURCES,
  INCOMPLETE_FIELDS,
  IncompleteField,
  RISK_OUTCOMES,
  SpecialCircumstanceGroup,
} from './child.events';
import type { ChildState, RegisteredChildState } from './child.state';

/** Law on Children 2016, Art. 1: a child is a person under 16. */
export const CHILD_AGE_LIMIT_YEARS = 16;
const SEXES: readonly Sex[] = ['M', 'F'];

function event<E extends ChildEvent>(type: E['type'], data: E['data']): E {
  return { type, data, schemaVersion: CURRENT_SCHEMA_VERSION } as E;
}

// ---- field rules ---------------------------------------------------------------------------

function requireGroup(raw: unknown, field = 'group'): SpecialCircumstanceGroup {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 14) {
    throw new RegistryError('INVALID_INPUT', `${field} must be a special-circumstance group 1–14`, field);
  }
  return raw as SpecialCircumstanceGroup;
}

/** A date of an event in the child's life: well-formed, not in the future, not before birth. */
function requireLifeDate(raw: unknown, field: string, dateOfBirth: IsoDate | undefined, now: Date): IsoDate {
  const date = requireIsoDate(raw, field);
  requireNotInFuture(date, now, field);
  if (dateOfBirth !== undefined && date < dateOfBirth) {
    throw new RegistryError('DATE_BEFORE_BIRTH', `${field} ${date} is before the date of birth`, field);
  }
  return date;
}

function requireDateOfBirth(raw: unknown, registeredOn: IsoDate, now: Date, field = 'dateOfBirth'): IsoDate {
  const dateOfBirth = requireIsoDate(raw, field);
  requireNotInFuture(dateOfBirth, now, field);
  if (addYears(dateOfBirth, CHILD_AGE_LIMIT_YEARS) <= registeredOn) {
    throw new RegistryError('CHILD_TOO_OLD', `a person born on ${dateOfBirth} was 16 or older on ${registeredOn}`, field);
  }
  return dateOfBirth;
}

function requireCommune(raw: unknown, onDate: IsoDate, units: AdministrativeUnitLookup, field: string): string {
  const code = requireText(raw, field);
  if (!/^\d{5}$/.test(code) || !units.isCommuneValidOn(code, onDate)) {
    throw new RegistryError('UNKNOWN_COMMUNE', `${code} is not a commune code in force on ${onDate}`, field);
  }
  return code;
}

function requirePersonalId(raw: unknown, person: { dateOfBirth: IsoDate; sex?: Sex }, units: AdministrativeUnitLookup, field: string): string {
  if (typeof raw !== 'string') throw new RegistryError('INVALID_PERSONAL_ID', `${field} must be text`, field, { personalIdProblem: 'LENGTH_OR_DIGITS' });
  // While the sex is not known (an incomplete record), the number is checked against the date of birth only.
  const sex = person.sex ?? parsePersonalId(raw)?.sex ?? 'M';
  const check = checkPersonalId(raw, { dateOfBirth: person.dateOfBirth, sex }, units);
  if (!check.valid) throw new RegistryError('INVALID_PERSONAL_ID', check.message, field, { personalIdProblem: check.problem });
  return check.personalId;
}

function requireIncomplete(raw: unknown): IncompleteField[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((f) => !(INCOMPLETE_FIELDS as readonly unknown[]).includes(f)) || new Set(raw).size !== raw.length) {
    throw new RegistryError('INVALID_INPUT', `incomplete must list distinct fields among ${INCOMPLETE_FIELDS.join(', ')}`, 'incomplete');
  }
  return INCOMPLETE_FIELDS.filter((f) => raw.includes(f));
}

function requireAbsent(raw: unknown, field: string, because: string): undefined {
  if (raw !== undefined && raw !== null && raw !== '') throw new RegistryError('INVALID_INPUT', `${field} must be absent when ${because}`, field);
  return undefined;
}

/** The number kept aside is as stated (digits and spaces removed), not checked: 1–20 characters. */
function requireUnverifiedPersonalId(raw: unknown): string {
  const text = typeof raw === 'string' ? raw.replace(/\s+/g, '') : '';
  if (text === '' || [...text].length > 20) {
    throw new RegistryError('INVALID_INPUT', 'unverifiedPersonalId is required (1–20 characters) when incomplete holds personalId', 'unverifiedPersonalId');
  }
  return text;
}

// ---- preconditions on the record ------------------------------------------------------------

function requireActive(state: ChildState, command: ChildCommand['type']): RegisteredChildState {
  // A merged record still holds the child's personal data: it can be erased (directly, or with the
  // record it was merged into) as well as reverted.
  return requireActiveRecord(state, { allowMerged: command === 'RevertMerge' || command === 'ErasePersonalData' });
}

// ---- decide -----------------------------------------------------------------------------------

function decide(command: ChildCommand, state: ChildState): ChildEvent[] {
  const { now, units }: ChildCommandContext = command.context;
  const at = now.toISOString();

  if (command.type === 'RegisterChild') {
    if (state.status !== 'unregistered') throw new RegistryError('CHILD_ALREADY_REGISTERED', 'this child is already registered', 'childId');
    const d = command.data;
    const childId = requireText(d.childId, 'childId');
    const fullName = requireName(d.fullName, 'fullName');
    const incomplete = requireIncomplete(d.incomplete);
    const sex = incomplete.includes('sex') ? requireAbsent(d.sex, 'sex', 'incomplete holds sex') : requireOneOf(d.sex, SEXES, 'sex');
    const dateOfBirth = requireDateOfBirth(d.dateOfBirth, vietnamDate(now), now);
    if (d.residence === undefined || d.residence === null) throw new RegistryError('INVALID_INPUT', 'residence is required', 'residence');
    const effectiveFrom = requireLifeDate(d.residence.effectiveFrom, 'residence.effectiveFrom', dateOfBirth, now);
    const communeCode = requireCommune(d.residence.communeCode, effectiveFrom, units, 'residence.communeCode');
    const stated = d.personalId === undefined || d.personalId === null || d.personalId.trim() === '' ? undefined : d.personalId;
    let personalId: string | undefined;
    let unverifiedPersonalId: string | undefined;
    if (incomplete.includes('personalId')) {
      requireAbsent(stated, 'personalId', 'incomplete holds personalId');
      unverifiedPersonalId = requireUnverifiedPersonalId(d.unverifiedPersonalId);
    } else {
      requireAbsent(d.unverifiedPersonalId, 'unverifiedPersonalId', 'incomplete does not hold personalId');
      personalId = stated === undefined ? undefined : requirePersonalId(stated, { dateOfBirth, ...defined('sex', sex) }, units, 'personalId');
    }
    const personal = {
      fullName,
      dateOfBirth,
      ...defined('personalId', personalId),
      ...defined('unverifiedPersonalId', unverifiedPersonalId),
      ...defined('motherName', optionalName(d.motherName, 'motherName')),
      ...defined('fatherName', optionalName(d.fatherName, 'fatherName')),
      ...defined('notes', optionalText(d.notes, 'notes')),
    };
    return [
      event('ChildRegistered', {
        childId,
        ...defined('sex', sex),
        ...(incomplete.length > 0 ? { incomplete } : {}),
        residence: { communeCode, effectiveFrom },
        registeredAt: at,
        personal,
      }),
    ];
  }

  const child = requireActive(state, command.type);
  const { childId } = child;

  switch (command.type) {
    case 'CorrectChildDetails':
      return [correctDetails(child, command.data, command.context)];

    case 'ChangeResidence': {
      const effectiveFrom = requireLifeDate(command.data.effectiveFrom, 'effectiveFrom', child.dateOfBirth, now);
      if (effectiveFrom < child.residence.effectiveFrom) {
        throw new RegistryError('DATE_OUT_OF_ORDER', `effectiveFrom is before the current residence's (${child.residence.effectiveFrom})`, 'effectiveFrom');
      }
      const communeCode = requireCommune(command.data.communeCode, effectiveFrom, units, 'communeCode');
      return [event('ResidenceChanged', { childId, communeCode, effectiveFrom, previousCommuneCode: child.residence.communeCode, recordedAt: at })];
    }

    case 'IdentifySpecialCircumstance': {
      const group = requireGroup(command.data.group);
      const effectiveFrom = requireLifeDate(command.data.effectiveFrom, 'effectiveFrom', child.dateOfBirth, now);
      if (child.circumstances[group] !== undefined) {
        throw new RegistryError('CIRCUMSTANCE_ALREADY_ACTIVE', `group ${group} is active since ${child.circumstances[group]}`, 'group');
      }
      return [event('SpecialCircumstanceIdentified', { childId, group, effectiveFrom, recordedAt: at })];
    }

    case 'EndSpecialCircumstance': {
      const group = requireGroup(command.data.group);
      const since = child.circumstances[group];
      if (since === undefined) throw new RegistryError('CIRCUMSTANCE_NOT_ACTIVE', `group ${group} is not active`, 'group');
      const effectiveTo = requireLifeDate(command.data.effectiveTo, 'effectiveTo', child.dateOfBirth, now);
      if (effectiveTo < since) throw new RegistryError('DATE_OUT_OF_ORDER', `effectiveTo is before the start (${since})`, 'effectiveTo');
      const reason = optionalText(command.data.reason, 'reason');
      return [event('SpecialCircumstanceEnded', { childId, group, effectiveTo, recordedAt: at, personal: { ...defined('reason', reason) } })];
    }

    case 'IdentifyRisk': {
      const group = requireGroup(command.data.group);
      const effectiveFrom = requireLifeDate(command.data.effectiveFrom, 'effectiveFrom', child.dateOfBirth, now);
      if (child.risks[group] !== undefined)
        throw new RegistryError('RISK_ALREADY_ACTIVE', `a risk of group ${group} is active since ${child.risks[group]}`, 'group');
      const description = optionalText(command.data.description, 'description');
      return [event('RiskIdentified', { childId, group, effectiveFrom, recordedAt: at, personal: { ...defined('description', description) } })];
    }

    case 'ResolveRisk': {
      const group = requireGroup(command.data.group);
      const since = child.risks[group];
      if (since === undefined) throw new RegistryError('RISK_NOT_ACTIVE', `no risk of group ${group} is active`, 'group');
      const effectiveTo = requireLifeDate(command.data.effectiveTo, 'effectiveTo', child.dateOfBirth, now);
      if (effectiveTo < since) throw new RegistryError('DATE_OUT_OF_ORDER', `effectiveTo is before the start (${since})`, 'effectiveTo');
      const outcome = requireOneOf(command.data.outcome, RISK_OUTCOMES, 'outcome');
      return [event('RiskResolved', { childId, group, effectiveTo, outcome, recordedAt: at })];
    }

    case 'LinkNationalId': {
      if (child.nationalId !== undefined) {
        throw new RegistryError('NATIONAL_ID_ALREADY_LINKED', 'a national ID is already linked; unlink it first', 'personalId');
      }
      const source = requireOneOf(command.data.source, IDENTITY_SOURCES, 'source');
      const personalId = requirePersonalId(command.data.personalId, person(child), units, 'personalId');
      const { matchScore } = command.data;
      if (matchScore !== undefined && (typeof matchScore !== 'number' || !(matchScore >= 0 && matchScore <= 1))) {
        throw new RegistryError('INVALID_INPUT', 'matchScore must be between 0 and 1', 'matchScore');
      }
      return [event('NationalIdLinked', { childId, source, ...defined('matchScore', matchScore), linkedAt: at, personal: { personalId } })];
    }

    case 'UnlinkNationalId': {
      const reason = requireReason(command.data.reason);
      if (child.nationalId === undefined) throw new RegistryError('NATIONAL_ID_NOT_LINKED', 'no national ID is linked', 'personalId');
      return [event('NationalIdUnlinked', { childId, unlinkedAt: at, personal: { personalId: child.nationalId, reason } })];
    }

    case 'RequestIdentityReview': {
      const source = requireOneOf(command.data.source, IDENTITY_SOURCES, 'source');
      const reason = requireReason(command.data.reason);
      const { candidateCount } = command.data;
      if (candidateCount !== undefined && (!Number.isInteger(candidateCount) || candidateCount < 0)) {
        throw new RegistryError('INVALID_INPUT', 'candidateCount must be a whole number', 'candidateCount');
      }
      return [event('IdentityReviewRequested', { childId, source, ...defined('candidateCount', candidateCount), requestedAt: at, personal: { reason } })];
    }

    case 'RecordNoNationalRecord': {
      const source = requireOneOf(command.data.source, IDENTITY_SOURCES, 'source');
      if (child.nationalId !== undefined) {
        throw new RegistryError('NATIONAL_ID_ALREADY_LINKED', 'a national ID is linked; unlink it before recording that none exists', 'personalId');
      }
      return [event('NoNationalRecordFound', { childId, source, checkedAt: at })];
    }

    case 'MergeChildRecords': {
      const survivingChildId = requireText(command.data.survivingChildId, 'survivingChildId');
      if (survivingChildId === childId) throw new RegistryError('CANNOT_MERGE_INTO_ITSELF', 'a record cannot be merged into itself', 'survivingChildId');
      const reason = requireReason(command.data.reason);
      return [event('ChildRecordsMerged', { childId, survivingChildId, mergedAt: at, personal: { reason } })];
    }

    case 'RevertMerge': {
      if (child.status !== 'merged' || child.survivingChildId === undefined) {
        throw new RegistryError('RECORD_NOT_MERGED', 'the record is not merged', 'childId');
      }
      const reason = requireReason(command.data.reason);
      return [event('ChildRecordsMergeReverted', { childId, survivingChildId: child.survivingChildId, revertedAt: at, personal: { reason } })];
    }

    case 'ErasePersonalData': {
      const reason = requireReason(command.data.reason);
      return [event('ChildPersonalDataErased', { childId, reason, erasedAt: at })];
    }
  }
}

function person(child: RegisteredChildState): { dateOfBirth: IsoDate; sex?: Sex } {
  // Active records always hold a date of birth; only erasure removes it, and erased records take no command.
  return { dateOfBirth: child.dateOfBirth ?? '', ...defined('sex', child.sex) };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

function correctDetails(
  child: RegisteredChildState,
  data: Extract<ChildCommand, { type: 'CorrectChildDetails' }>['data'],
  { now, units }: ChildCommandContext,
): ChildDetailsCorrected {
  const reason = requireReason(data.reason);
  const changes = data.changes ?? {};
  // A field left out (or undefined) is not corrected; null removes an optional one.
  const has = (f: CorrectableField) => Object.prototype.hasOwnProperty.call(changes, f) && changes[f] !== undefined;
  const personal: Omit<ChildDetailsCorrected['data']['personal'], 'reason'> = {};
  const corrected: CorrectableField[] = [];
  let sex: Sex | undefined;

  if (has('fullName')) {
    const fullName = requireName(changes.fullName, 'changes.fullName');
    if (fullName !== child.fullName) {
      personal.fullName = fullName;
      corrected.push('fullName');
    }
  }
  if (has('dateOfBirth')) {
    const dateOfBirth = requireDateOfBirth(changes.dateOfBirth, vietnamDate(new Date(child.registeredAt)), now, 'changes.dateOfBirth');
    if (dateOfBirth > child.residence.effectiveFrom) {
      throw new RegistryError(
        'DATE_BEFORE_BIRTH',
        `the current residence starts (${child.residence.effectiveFrom}) before this date of birth`,
        'changes.dateOfBirth',
      );
    }
    if (dateOfBirth !== child.dateOfBirth) {
      personal.dateOfBirth = dateOfBirth;
      corrected.push('dateOfBirth');
    }
  }
  if (has('sex')) {
    const newSex = requireOneOf(changes.sex, SEXES, 'changes.sex');
    if (newSex !== child.sex) {
      sex = newSex;
      corrected.push('sex');
    }
  }
  const resulting = { dateOfBirth: personal.dateOfBirth ?? child.dateOfBirth ?? '', ...defined('sex', sex ?? child.sex) };
  if (has('personalId')) {
    const raw = changes.personalId;
    const personalId = raw === null || raw === undefined || raw.trim() === '' ? null : requirePersonalId(raw, resulting, units, 'changes.personalId');
    // On an incomplete personal ID, stating the number (or none, null) completes it even when it equals the record's.
    if ((personalId ?? undefined) !== child.personalId || child.incomplete?.includes('personalId')) {
      personal.personalId = personalId;
      corrected.push('personalId');
    }
  }
  for (const f of ['motherName', 'fatherName'] as const) {
    if (!has(f)) continue;
    const name = optionalName(changes[f], `changes.${f}`) ?? null;
    if ((name ?? undefined) !== child[f]) {
      personal[f] = name;
      corrected.push(f);
    }
  }
  if (has('notes')) {
    const notes = optionalText(changes.notes, 'changes.notes') ?? null;
    if ((notes ?? undefined) !== child.notes) {
      personal.notes = notes;
      corrected.push('notes');
    }
  }
  if (corrected.length === 0) throw new RegistryError('NOTHING_TO_CHANGE', 'the changes match the record', 'changes');

  // A new date of birth or sex must still agree with the numbers on the record.
  if (personal.dateOfBirth !== undefined || sex !== undefined) {
    const stated = personal.personalId === undefined ? child.personalId : (personal.personalId ?? undefined);
    if (stated !== undefined) requirePersonalId(stated, resulting, units, personal.dateOfBirth !== undefined ? 'changes.dateOfBirth' : 'changes.sex');
    if (child.nationalId !== undefined)
      requirePersonalId(child.nationalId, resulting, units, personal.dateOfBirth !== undefined ? 'changes.dateOfBirth' : 'changes.sex');
  }

  return {
    type: 'ChildDetailsCorrected',
    schemaVersion: CURRENT_SCHEMA_VERSION,
    data: { childId: child.childId, correctedFields: corrected, ...defined('sex', sex), personal: { ...personal, reason }, correctedAt: now.toISOString() },
  };
}

// ---- evolve -----------------------------------------------------------------------------------

function evolve(state: ChildState, e: ChildEvent): ChildState {
  if (e.type === 'ChildRegistered') {
    const { childId, sex, incomplete, residence, registeredAt, personal } = e.data;
    return {
      status: 'active',
      childId,
      ...defined('sex', sex),
      ...(incomplete && incomplete.length > 0 ? { incomplete } : {}),
      registeredAt,
      residence,
      ...personal,
      identity: 'unchecked',
      circumstances: {},
      risks: {},
    };
  }
  if (state.status === 'unregistered') return state; // events before registration cannot happen; ignore rather than crash a rebuild
  switch (e.type) {
    case 'ChildDetailsCorrected': {
      const next: RegisteredChildState = { ...state, ...(e.data.sex ? { sex: e.data.sex } : {}) };
      // A correction of a field left incomplete completes it (and drops the number kept aside).
      const remaining = state.incomplete?.filter((f) => !e.data.correctedFields.includes(f));
      if (state.incomplete !== undefined) {
        if (remaining && remaining.length > 0) next.incomplete = remaining;
        else delete next.incomplete;
        if (!remaining?.includes('personalId')) delete next.unverifiedPersonalId;
      }
      for (const key of e.data.correctedFields) {
        if (key === 'sex') continue;
        // Read without the key (erased): `personal` is null, and the record is erased anyway.
        const value = (e.data.personal as Partial<Record<CorrectableField, string | null>> | null)?.[key];
        if (value === undefined) continue;
        if (value === null) delete next[key];
        else next[key] = value;
      }
      return next;
    }
    case 'ResidenceChanged':
      return { ...state, residence: { communeCode: e.data.communeCode, effectiveFrom: e.data.effectiveFrom } };
    case 'SpecialCircumstanceIdentified':
      return { ...state, circumstances: { ...state.circumstances, [e.data.group]: e.data.effectiveFrom } };
    case 'SpecialCircumstanceEnded': {
      const { [e.data.group]: _ended, ...rest } = state.circumstances;
      return { ...state, circumstances: rest };
    }
    case 'RiskIdentified':
      return { ...state, risks: { ...state.risks, [e.data.group]: e.data.effectiveFrom } };
    case 'RiskResolved': {
      const { [e.data.group]: _resolved, ...rest } = state.risks;
      return { ...state, risks: rest };
    }
    case 'NationalIdLinked':
      return { ...state, nationalId: e.data.personal.personalId, identity: 'linked' };
    case 'NationalIdUnlinked': {
      const { nationalId: _unlinked, ...rest } = state;
      return { ...rest, identity: 'unchecked' };
    }
    case 'IdentityReviewRequested':
      return { ...state, identity: 'review_requested' };
    case 'NoNationalRecordFound':
      return { ...state, identity: 'no_national_record' };
    case 'ChildRecordsMerged':
      return { ...state, status: 'merged', survivingChildId: e.data.survivingChildId };
    case 'ChildRecordsMergeReverted': {
      const { survivingChildId: _reverted, ...rest } = state;
      return { ...rest, status: 'active' };
    }
    case 'ChildPersonalDataErased':
      return {
        status: 'erased',
        childId: state.childId,
        ...defined('sex', state.sex),
        ...(state.incomplete ? { incomplete: state.incomplete } : {}),
        registeredAt: state.registeredAt,
        residence: state.residence,
        identity: state.identity,
        circumstances: state.circumstances,
        risks: state.risks,
      };
  }
}

/** The child record (`child-<id>`): registration, corrections, circumstances, risks, identity, merges, erasure. */
export const childDecider: Decider<ChildCommand, ChildState, ChildEvent> = {
  initialState: () => ({ status: 'unregistered' }),
  evolve,
  decide,
};
