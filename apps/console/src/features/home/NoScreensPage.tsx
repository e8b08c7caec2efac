import { useTranslation } from 'react-i18next';
import { Page } from '../../app/Page';

export default function NoScreensPage() {
  const { t } = useTranslation();
  return <Page title={t('app.name')} intro={t('page.noScreens')} />;
}
