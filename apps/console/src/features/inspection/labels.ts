import type { TFunction } from 'i18next';
import dayjs, { Dayjs } from 'dayjs';

const CHILD_EVENTS = [
  'ChildRegistered',
  'ChildDetailsCorrected',
  'ResidenceChanged',
  'SpecialCircumstanceIdentified',
  'SpecialCircumstanceEnded',
  'RiskIdentified',
  'RiskResolved',
  'NationalIdLinked',
  'NationalIdUnlinked',
  'IdentityReviewRequested',
  'NoNationalRecordFound',
  'ChildRecordsMerged',
  'ChildRecordsMergeReverted',
  'ChildPersonalDataErased',
] as const;
const CASE_EVENTS = [
  'CaseOpened',
  'CaseAssigned',
  'CaseAssessed',
  'InterventionPlanned',
  'InterventionDelivered',
  'CaseReviewed',
  'CaseReferred',
  'CaseClosed',
  'CaseReopened',
] as const;

/** The event types an inspector filters by, in the order of a record's life. */
export const EVENT_TYPES: readonly string[] = [...CHILD_EVENTS, ...CASE_EVENTS];

const isOneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** An event type in the reader's language (the type's own name when the console has no words for it). */
export function eventLabel(t: TFunction, type: string): string {
  if (isOneOf(CHILD_EVENTS, type)) return t(`childPage.event.${type}`);
  if (isOneOf(CASE_EVENTS, type)) return t(`inspection.event.${type}`);
  return type;
}

const FILTERS = [
  'childId',
  'actorId',
  'unit',
  'eventType',
  'from',
  'to',
  'purpose',
  'readPurpose',
  'name',
  'dateOfBirth',
  'birthYear',
  'communeCode',
  'personalId',
  'nationalIdState',
  'group',
  'all',
] as const;
const RESOURCES = ['child', 'case', 'import', 'audit_trail', 'read_audit', 'log_integrity', 'event_proof'] as const;
const VIEW_KINDS = ['current', 'timeline', 'search', 'export', 'as_of', 'download', 'status'] as const;

export function resourceLabel(t: TFunction, type: string): string {
  return isOneOf(RESOURCES, type) ? t(`inspection.reads.resource.${type}`) : type;
}

/** A read-audit view (`as_of_recorded:2025-10-01`, `search:name`, `timeline`) as words, with its detail. */
export function viewLabel(t: TFunction, view: string): string {
  const [head = '', detail] = view.split(/:(.*)/s);
  const kind = head.startsWith('as_of') ? 'as_of' : head;
  const words = isOneOf(VIEW_KINDS, kind) ? t(`inspection.reads.viewKind.${kind}`) : t('inspection.reads.viewKind.other');
  if (!detail) return words;
  // A search or an export names the filters it used (never their values): say them in words.
  const filters =
    kind === 'search' || kind === 'export' ? detail.split(',').map((f) => (isOneOf(FILTERS, f) ? t(`inspection.reads.filter.${f}`) : f)) : [detail];
  return `${words} (${filters.join(', ')})`;
}

/** Date presets for a period: the last 30 days, last calendar month, this year (Vietnam time is the browser's here). */
export function periodPresets(t: TFunction, today: Dayjs = dayjs()): { label: string; from: Dayjs; to: Dayjs }[] {
  const lastMonth = today.subtract(1, 'month');
  return [
    { label: t('inspection.presetLast30'), from: today.subtract(30, 'day'), to: today },
    { label: t('inspection.presetLastMonth'), from: lastMonth.startOf('month'), to: lastMonth.endOf('month') },
    { label: t('inspection.presetThisYear'), from: today.startOf('year'), to: today },
  ];
}

export const isoDay = (d: Dayjs | null | undefined): string | undefined => (d ? d.format('YYYY-MM-DD') : undefined);
export const text = (s: string | undefined): string | undefined => (s && s.trim() !== '' ? s.trim() : undefined);
