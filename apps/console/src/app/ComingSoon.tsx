import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';

export function ComingSoon() {
  const { t } = useTranslation();
  return <Alert type="info" showIcon title={t('page.comingSoon')} />;
}
