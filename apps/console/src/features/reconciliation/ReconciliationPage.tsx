import { useTranslation } from 'react-i18next';
import { ComingSoon } from '../../app/ComingSoon';
import { Page } from '../../app/Page';

export default function ReconciliationPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('reconciliation.title')} intro={t('reconciliation.intro')}>
      <ComingSoon />
    </Page>
  );
}
