import { Alert, Button } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { Loading } from '../app/Loading';
import { useAuth } from './auth';

/** Where the provider sends the browser back with the authorization code. */
export function SignInCallback() {
  const { t } = useTranslation();
  const { completeSignIn } = useAuth();
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  const started = useRef(false);

  useEffect(() => {
    // A code is good once: React's double effect in development must not spend it twice.
    if (started.current) return;
    started.current = true;
    completeSignIn()
      .then((returnTo) => navigate(returnTo, { replace: true }))
      .catch(() => setFailed(true));
  }, [completeSignIn, navigate]);

  if (!failed) return <Loading />;
  return (
    <main style={{ padding: 24 }}>
      <Alert type="error" showIcon title={t('signIn.failed')} action={<Button onClick={() => navigate('/', { replace: true })}>{t('signIn.retry')}</Button>} />
    </main>
  );
}
