import { useTranslation } from 'react-i18next';
import type { SessionUser } from '../auth/session-user';

/** The user's unit as words. Codes for now: the API has no admin-unit names endpoint yet. */
export function useUnitLabel(user: SessionUser): string {
  const { t } = useTranslation();
  if (user.communes.length > 0) return t('unit.communes', { codes: user.communes.join(', ') });
  if (user.provinces.length > 0) return t('unit.provinces', { codes: user.provinces.join(', ') });
  return t('unit.everywhere');
}
