import { useTranslation } from 'react-i18next';
import { ComingSoon } from '../../app/ComingSoon';
import { Page } from '../../app/Page';

export default function FindChildPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('findChild.title')} intro={t('findChild.intro')}>
      <ComingSoon />
    </Page>
  );
}
