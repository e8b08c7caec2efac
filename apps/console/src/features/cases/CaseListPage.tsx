import { useTranslation } from 'react-i18next';
import { ComingSoon } from '../../app/ComingSoon';
import { Page } from '../../app/Page';

export default function CaseListPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('cases.title')} intro={t('cases.intro')}>
      <ComingSoon />
    </Page>
  );
}
