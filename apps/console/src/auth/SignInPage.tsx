import { Alert, Button, Card, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router-dom';
import { useLanguage } from '../i18n/use-language';
import { useAuth } from './auth';

export function SignInPage() {
  const { t } = useTranslation();
  const { signIn } = useAuth();
  const { language, setLanguage } = useLanguage();
  const location = useLocation();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const other = language === 'vi' ? 'en' : 'vi';

  const start = () => {
    setBusy(true);
    setFailed(false);
    signIn(`${location.pathname}${location.search}`).catch(() => {
      setBusy(false);
      setFailed(true);
    });
  };

  return (
    <main style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 16, background: '#f5f5f5' }}>
      <Card style={{ width: '100%', maxWidth: 420 }}>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('app.name')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('app.tagline')}</Typography.Paragraph>
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t('signIn.title')}
        </Typography.Title>
        <Typography.Paragraph>{t('signIn.intro')}</Typography.Paragraph>
        {failed && <Alert type="error" showIcon title={t('signIn.failed')} style={{ marginBottom: 16 }} />}
        <Button type="primary" size="large" block loading={busy} onClick={start}>
          {t('signIn.button')}
        </Button>
        <Button type="link" lang={other} onClick={() => setLanguage(other)} style={{ marginTop: 8, paddingInline: 0 }}>
          {t(`language.${other}`)}
        </Button>
      </Card>
    </main>
  );
}
