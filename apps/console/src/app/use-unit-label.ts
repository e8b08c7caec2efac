import { useTranslation } from 'react-i18next';
import type { SessionUser } from '../auth/session-user';
import { useUnitNames } from './use-unit-names';

/** The user's unit in words ("Phường Ba Đình"); the codes with their level until the names arrive. */
export function useUnitLabel(user: SessionUser): string {
  const { t } = useTranslation();
  const codes = user.communes.length > 0 ? user.communes : user.provinces;
  const names = useUnitNames(codes);
  if (codes.length > 0 && codes.every((c) => names.has(c))) return codes.map((c) => names.get(c)).join(', ');
  if (user.communes.length > 0) return t('unit.communes', { codes: user.communes.join(', ') });
  if (user.provinces.length > 0) return t('unit.provinces', { codes: user.provinces.join(', ') });
  return t('unit.everywhere');
}
