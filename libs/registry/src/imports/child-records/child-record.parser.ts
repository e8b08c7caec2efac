import type { AdministrativeUnits } from '@childledger/admin-units';
import { checkPersonalId, IncompleteField, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, normaliseName, parsePersonalId, RegisterChild, Sex } from '@childledger/domain';
import { cellText } from '../row-source';
import type { HeaderMapping, RecordColumn } from './columns';
import { CommuneResolver } from './commune-resolver';
import { DatePrecision, parseRecordedDate } from './recorded-date';
import { parseSex } from './sex';
import { parseSpecialCircumstances } from './special-circumstances';

/** Why a row (or one of its cells) was refused or only partly taken. */
export interface RowProblem {
  column: RecordColumn | null;
  code: string;
  reason: string;
}

/** A readable row: the registration it asks for, and the special circumstances to record with it. */
export interface ParsedChildRecord {
  rowNumber: number;
  recordRef?: string;
  registration: Omit<RegisterChild['data'], 'childId'>;
  groups: number[];
  dateOfBirthPrecision: DatePrecision;
  warnings: RowProblem[];
}

export type RowParse = { ok: true; record: ParsedChildRecord } | { ok: false; rowNumber: number; recordRef?: string; problems: RowProblem[] };

/**
 * Turns a row of the child-records format into a registration, or says (per column) why it cannot.
 * Only reading is done here; the domain's rules (age under 16, dates, the commune on the day) are
 * applied by the decider afterwards. A stated personal ID that fails its check does not block the
 * row (formats.md: "optional, and may be wrong"): the child is registered without it, as an
 * incomplete record (`incomplete: ['personalId']`, the number kept aside under the event's
 * encrypted `personal` part for reconciliation), with a warning; a number that lost its leading zero
 * in a spreadsheet gets it back if it then checks out. An empty sex does not block the row either:
 * the child is registered with `incomplete: ['sex']` and a warning. What cannot be a child (no name,
 * no date of birth, no place, 16 or older, a sex that is not empty but unreadable) is refused.
 */
export class ChildRecordParser {
  private readonly communes: CommuneResolver;
  private readonly indexOf = new Map<RecordColumn, number>();

  constructor(
    mapping: HeaderMapping,
    private readonly units: AdministrativeUnits,
    private readonly today: string,
  ) {
    this.communes = new CommuneResolver(units);
    for (const [index, column] of mapping.columns) this.indexOf.set(column, index);
  }

  /** True when every cell is empty (blank rows are skipped, not reported). */
  static isBlank(cells: readonly unknown[]): boolean {
    return cells.every((c) => cellText(c) === '');
  }

  parse(rowNumber: number, cells: readonly unknown[]): RowParse {
    const raw = (column: RecordColumn): unknown => {
      const index = this.indexOf.get(column);
      return index === undefined ? undefined : cells[index];
    };
    const text = (column: RecordColumn) => cellText(raw(column));
    const problems: RowProblem[] = [];
    const warnings: RowProblem[] = [];
    const recordRef = text('record_ref') || undefined;
    if (recordRef !== undefined && [...recordRef].length > 100)
      problems.push({ column: 'record_ref', code: 'TOO_LONG', reason: 'record_ref is longer than 100 characters' });

    const fullName = normaliseName(text('full_name'));
    if (fullName === '') problems.push({ column: 'full_name', code: 'NAME_REQUIRED', reason: 'the name is empty' });
    else if ([...fullName].length > MAX_NAME_LENGTH)
      problems.push({ column: 'full_name', code: 'NAME_TOO_LONG', reason: `the name is longer than ${MAX_NAME_LENGTH} characters` });

    const dobCell = raw('date_of_birth');
    const dob = parseRecordedDate(dobCell instanceof Date || typeof dobCell === 'number' ? dobCell : text('date_of_birth'));
    if (!dob.ok) problems.push({ column: 'date_of_birth', code: 'INVALID_DATE', reason: dob.reason });

    const sexText = text('sex');
    const sex: Sex | undefined = parseSex(sexText);
    const incomplete: IncompleteField[] = [];
    if (sexText === '') {
      incomplete.push('sex');
      warnings.push({ column: 'sex', code: 'INCOMPLETE_SEX', reason: 'registered without a sex: the record is incomplete' });
    } else if (!sex) problems.push({ column: 'sex', code: 'INVALID_SEX', reason: `"${sexText.slice(0, 20)}" is not Nam/Nữ, M/F or male/female` });

    const place = this.communes.resolve(text('commune'), text('province'), text('district'));
    if (!place.ok) problems.push({ column: place.column, code: place.code, reason: place.reason });

    let groups: number[] = [];
    const circumstances = text('special_circumstances');
    if (circumstances !== '') {
      const parsed = parseSpecialCircumstances(circumstances);
      if (parsed.ok) groups = parsed.groups;
      else problems.push({ column: 'special_circumstances', code: 'INVALID_GROUP', reason: parsed.reason });
    }

    const optionalName = (column: RecordColumn): string | undefined => {
      const name = normaliseName(text(column));
      if (name === '') return undefined;
      if ([...name].length > MAX_NAME_LENGTH) problems.push({ column, code: 'NAME_TOO_LONG', reason: `longer than ${MAX_NAME_LENGTH} characters` });
      return name;
    };
    const fatherName = optionalName('father_full_name');
    const motherName = optionalName('mother_full_name');

    const notesParts = [text('notes')];
    if (dob.ok && dob.precision !== 'day') {
      notesParts.push(
        `date of birth recorded as ${dob.precision === 'month' ? dob.date.slice(5, 7) + '/' : ''}${dob.date.slice(0, 4)} (${dob.precision} only); registered as ${dob.date}`,
      );
    }
    const notes = notesParts.filter((n) => n !== '').join('\n');
    if ([...notes].length > MAX_TEXT_LENGTH)
      problems.push({ column: 'notes', code: 'TOO_LONG', reason: `notes are longer than ${MAX_TEXT_LENGTH} characters` });

    if (problems.length > 0 || !dob.ok || (!sex && sexText !== '') || !place.ok) return { ok: false, rowNumber, recordRef, problems };

    const id = this.personalId(raw('personal_id'), { dateOfBirth: dob.date, sex }, warnings);
    const personalId = id?.valid ? id.personalId : undefined;
    if (id && !id.valid) incomplete.push('personalId');
    return {
      ok: true,
      record: {
        rowNumber,
        recordRef,
        registration: {
          fullName,
          dateOfBirth: dob.date,
          ...(sex ? { sex } : {}),
          ...(personalId ? { personalId } : {}),
          ...(incomplete.length > 0 ? { incomplete } : {}),
          ...(id && !id.valid ? { unverifiedPersonalId: id.stated } : {}),
          residence: { communeCode: place.communeCode, effectiveFrom: this.today },
          ...(motherName ? { motherName } : {}),
          ...(fatherName ? { fatherName } : {}),
          ...(notes ? { notes } : {}),
        },
        groups,
        dateOfBirthPrecision: dob.precision,
        warnings,
      },
    };
  }

  /**
   * The stated personal ID: valid, or not (then it is kept aside as stated, up to 20 characters).
   * While the sex is not known, the number is checked against the date of birth only (as the domain does).
   */
  private personalId(
    value: unknown,
    person: { dateOfBirth: string; sex?: Sex },
    warnings: RowProblem[],
  ): { valid: true; personalId: string } | { valid: false; stated: string } | undefined {
    // A number cell cannot keep leading zeros, and every personal ID starts with 0: pad it back.
    const stated = typeof value === 'number' && Number.isInteger(value) && value > 0 ? cellText(value).padStart(12, '0') : cellText(value).replace(/\s+/g, '');
    if (stated === '') return undefined;
    const check = (n: string) => checkPersonalId(n, { dateOfBirth: person.dateOfBirth, sex: person.sex ?? parsePersonalId(n)?.sex ?? 'M' }, this.units);
    const first = check(stated);
    if (first.valid) return { valid: true, personalId: first.personalId };
    if (/^\d{11}$/.test(stated)) {
      const restored = check(`0${stated}`);
      if (restored.valid) {
        warnings.push({ column: 'personal_id', code: 'LEADING_ZERO_RESTORED', reason: 'the personal ID had 11 digits; its leading 0 was restored' });
        return { valid: true, personalId: restored.personalId };
      }
    }
    warnings.push({ column: 'personal_id', code: `INVALID_PERSONAL_ID.${first.problem}`, reason: `registered without the personal ID: ${first.message}` });
    return { valid: false, stated: [...stated].slice(0, 20).join('') };
  }
}
