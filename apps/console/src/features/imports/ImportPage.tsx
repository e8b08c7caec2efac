import { useTranslation } from 'react-i18next';
import { ComingSoon } from '../../app/ComingSoon';
import { Page } from '../../app/Page';

export default function ImportPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('import.title')} intro={t('import.intro')}>
      <ComingSoon />
    </Page>
  );
}
