import type { RegistrySchemas } from '../../api';
import type { FormProblem } from '../register/form-problems';
import { normalisePersonalId } from '../register/personal-id';
import { MAX_NAME_LENGTH, MAX_TEXT_LENGTH } from '../register/registration';

type S = RegistrySchemas['schemas'];

export const ACTIONS = ['correct', 'move', 'identifyCircumstance', 'endCircumstance', 'identifyRisk', 'resolveRisk'] as const;
export type ChildAction = (typeof ACTIONS)[number];

export const CORRECTABLE = ['fullName', 'dateOfBirth', 'sex', 'personalId', 'motherName', 'fatherName', 'notes'] as const;
export type Correctable = (typeof CORRECTABLE)[number];

export const GROUPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] as const;
export const RISK_OUTCOMES = ['removed_from_risk', 'entered_special_circumstance', 'no_longer_applicable'] as const;
export type RiskOutcome = (typeof RISK_OUTCOMES)[number];

/** What the action forms hold; dates `YYYY-MM-DD`. Each form uses its own part. */
export interface ActionInput {
  changes?: Partial<Record<Correctable, string>>;
  reason?: string;
  communeCode?: string;
  date?: string;
  group?: number;
  outcome?: RiskOutcome;
  description?: string;
}

/** The API's field names of each form, for placing its problems beside the inputs. */
export const ACTION_FIELDS: Record<ChildAction, readonly string[]> = {
  correct: [...CORRECTABLE.map((f) => `changes.${f}`), 'changes', 'reason'],
  move: ['communeCode', 'effectiveFrom'],
  identifyCircumstance: ['group', 'effectiveFrom'],
  endCircumstance: ['group', 'effectiveTo', 'reason'],
  identifyRisk: ['group', 'effectiveFrom', 'description'],
  resolveRisk: ['group', 'effectiveTo', 'outcome'],
};

/** The form's name for the date the API calls effectiveFrom or effectiveTo. */
export function dateField(action: ChildAction): 'effectiveFrom' | 'effectiveTo' {
  return action === 'endCircumstance' || action === 'resolveRisk' ? 'effectiveTo' : 'effectiveFrom';
}

const text = (v: string | undefined) => (v ?? '').normalize('NFC').trim();

/** The corrections asked for: only the fields given (an empty optional field is not a removal here). */
export function correctionChanges(input: ActionInput): Partial<Record<Correctable, string>> {
  const out: Partial<Record<Correctable, string>> = {};
  for (const f of CORRECTABLE) {
    const v = f === 'personalId' ? normalisePersonalId(input.changes?.[f] ?? '') : text(input.changes?.[f]);
    if (v === '') continue;
    out[f] = v;
  }
  return out;
}

/**
 * The problems the API would find before it looks at the record: required fields, lengths, shapes,
 * dates not in the future. What depends on the record (a date before birth or before the start, a
 * group not active, a personal ID that does not fit the birth date) the API says, beside the field.
 */
export function validateAction(action: ChildAction, input: ActionInput, today: string): FormProblem[] {
  const problems: FormProblem[] = [];
  const date = input.date ?? '';
  const dateName = dateField(action);
  if (action !== 'correct') {
    if (date === '') problems.push({ field: dateName, rule: 'required' });
    else if (date > today) problems.push({ field: dateName, rule: 'DATE_IN_FUTURE' });
  }
  if (action !== 'correct' && action !== 'move' && !(GROUPS as readonly number[]).includes(input.group ?? 0))
    problems.push({ field: 'group', rule: 'required' });
  switch (action) {
    case 'correct': {
      const changes = correctionChanges(input);
      if (Object.keys(changes).length === 0) problems.push({ field: 'changes', rule: 'NOTHING_TO_CHANGE' });
      for (const f of ['fullName', 'motherName', 'fatherName'] as const)
        if ((changes[f] ?? '').length > MAX_NAME_LENGTH) problems.push({ field: `changes.${f}`, rule: 'maxLength' });
      if ((changes.notes ?? '').length > MAX_TEXT_LENGTH) problems.push({ field: 'changes.notes', rule: 'maxLength' });
      if (changes.personalId && !/^\d{12}$/.test(changes.personalId))
        problems.push({ field: 'changes.personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: 'LENGTH_OR_DIGITS' });
      if (changes.dateOfBirth && changes.dateOfBirth > today) problems.push({ field: 'changes.dateOfBirth', rule: 'DATE_IN_FUTURE' });
      if (text(input.reason) === '') problems.push({ field: 'reason', rule: 'MISSING_REASON' });
      else if (text(input.reason).length > MAX_TEXT_LENGTH) problems.push({ field: 'reason', rule: 'maxLength' });
      break;
    }
    case 'move':
      if (!input.communeCode) problems.push({ field: 'communeCode', rule: 'required' });
      break;
    case 'resolveRisk':
      if (!input.outcome || !(RISK_OUTCOMES as readonly string[]).includes(input.outcome)) problems.push({ field: 'outcome', rule: 'required' });
      break;
    case 'endCircumstance':
      if (text(input.reason).length > MAX_TEXT_LENGTH) problems.push({ field: 'reason', rule: 'maxLength' });
      break;
    case 'identifyRisk':
      if (text(input.description).length > MAX_TEXT_LENGTH) problems.push({ field: 'description', rule: 'maxLength' });
      break;
    case 'identifyCircumstance':
      break;
  }
  return problems;
}

/** The request of a valid input: path and body, typed by the generated client. */
export type ActionRequest =
  | { action: 'correct'; body: S['CorrectChildDetailsDto'] }
  | { action: 'move'; body: S['ChangeResidenceDto'] }
  | { action: 'identifyCircumstance'; body: S['IdentifySpecialCircumstanceDto'] }
  | { action: 'endCircumstance'; group: number; body: S['EndSpecialCircumstanceDto'] }
  | { action: 'identifyRisk'; body: S['IdentifyRiskDto'] }
  | { action: 'resolveRisk'; group: number; body: S['ResolveRiskDto'] };

export function actionRequest(action: ChildAction, input: ActionInput): ActionRequest {
  const date = input.date ?? '';
  const group = input.group ?? 0;
  switch (action) {
    case 'correct':
      // The generated type of the nullable fields is loose (no type in their OpenAPI schema): the values are strings.
      return { action, body: { changes: correctionChanges(input) as S['ChildChangesDto'], reason: text(input.reason) } };
    case 'move':
      return { action, body: { communeCode: input.communeCode ?? '', effectiveFrom: date } };
    case 'identifyCircumstance':
      return { action, body: { group, effectiveFrom: date } };
    case 'endCircumstance':
      return { action, group, body: { effectiveTo: date, ...(text(input.reason) ? { reason: text(input.reason) } : {}) } };
    case 'identifyRisk':
      return { action, body: { group, effectiveFrom: date, ...(text(input.description) ? { description: text(input.description) } : {}) } };
    case 'resolveRisk':
      return { action, group, body: { effectiveTo: date, outcome: input.outcome ?? 'removed_from_risk' } };
  }
}
