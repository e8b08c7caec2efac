import type { TFunction } from 'i18next';

export const CASE_STATUSES = ['report_received', 'assessed', 'planned', 'implementing', 'reviewed', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const SERVICE_TYPES = ['health', 'education', 'psychosocial', 'legal', 'alternative_care', 'financial', 'other'] as const;
export const PROTECTION_LEVELS = ['prevention', 'support', 'intervention'] as const;
export const CASE_OUTCOMES = ['risk_removed', 'goals_met', 'no_protection_needed', 'referred_elsewhere', 'child_moved', 'child_turned_16', 'other'] as const;

const isOf = <T extends string>(list: readonly T[], v: string | null | undefined): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
export const isCaseStatus = (v: string): v is CaseStatus => isOf(CASE_STATUSES, v);

export function caseStatusLabel(t: TFunction, v: string): string {
  return isOf(CASE_STATUSES, v) ? t(`terms.caseStatus.${v}`) : v;
}
export function protectionLevelLabel(t: TFunction, v: string | null): string {
  return isOf(PROTECTION_LEVELS, v) ? t(`terms.protectionLevel.${v}`) : (v ?? '');
}
export function riskLevelLabel(t: TFunction, v: string | null): string {
  return isOf(RISK_LEVELS, v) ? t(`terms.riskLevel.${v}`) : (v ?? '');
}
export function serviceTypeLabel(t: TFunction, v: string | null): string {
  return isOf(SERVICE_TYPES, v) ? t(`terms.serviceType.${v}`) : (v ?? '');
}
export function outcomeLabel(t: TFunction, v: string | null): string {
  return isOf(CASE_OUTCOMES, v) ? t(`casePage.outcome.${v}`) : (v ?? '');
}
