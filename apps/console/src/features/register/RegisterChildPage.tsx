import { useTranslation } from 'react-i18next';
import { ComingSoon } from '../../app/ComingSoon';
import { Page } from '../../app/Page';

export default function RegisterChildPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('register.title')} intro={t('register.intro')}>
      <ComingSoon />
    </Page>
  );
}
