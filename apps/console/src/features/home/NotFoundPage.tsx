import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Page } from '../../app/Page';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('page.notFound')}>
      <Link to="/">
        <Button>{t('page.backHome')}</Button>
      </Link>
    </Page>
  );
}
