import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import viVN from 'antd/locale/vi_VN';
import type { UserManager } from 'oidc-client-ts';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { ApiProvider } from '../api/ApiProvider';
import { AuthProvider, CALLBACK_PATH, useAuth } from '../auth/auth';
import { SignInCallback } from '../auth/SignInCallback';
import { SignInPage } from '../auth/SignInPage';
import { useLanguage } from '../i18n/use-language';
import { PurposeProvider } from '../purpose/purpose';
import { AppShell } from './AppShell';
import { Loading } from './Loading';
import { MENU } from './menu';

// Every screen is its own chunk: the first load carries the shell only.
// Each feature owns the routes under its path (features/<feature>/routes.tsx).
const ChildrenRoutes = lazy(() => import('../features/children/routes'));
const RegisterChildPage = lazy(() => import('../features/register/RegisterChildPage'));
const ImportRoutes = lazy(() => import('../features/imports/routes'));
const ReconciliationRoutes = lazy(() => import('../features/reconciliation/routes'));
const CaseRoutes = lazy(() => import('../features/cases/routes'));
const DashboardRoutes = lazy(() => import('../features/dashboard/routes'));
const InspectionRoutes = lazy(() => import('../features/inspection/routes'));
const AdminRoutes = lazy(() => import('../features/admin/routes'));
const NoScreensPage = lazy(() => import('../features/home/NoScreensPage'));
const NotFoundPage = lazy(() => import('../features/home/NotFoundPage'));

// Ant Design's grey texts and light link blue fall under WCAG AA's 4.5:1 contrast on white: darker ones.
const THEME = {
  token: {
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextDescription: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.58)',
    fontSize: 14,
  },
};

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 30_000, refetchOnWindowFocus: false } } });

function SignedInRoutes() {
  const { user, ready } = useAuth();
  if (!ready) return <Loading />;
  if (!user) return <SignInPage />;
  const home = user.role ? MENU[user.role][0]?.path : undefined;
  return (
    <AppShell user={user}>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={home ? <Navigate to={home} replace /> : <NoScreensPage />} />
          <Route path="/children/*" element={<ChildrenRoutes />} />
          <Route path="/register" element={<RegisterChildPage />} />
          <Route path="/imports/*" element={<ImportRoutes />} />
          <Route path="/reconciliation/*" element={<ReconciliationRoutes />} />
          <Route path="/cases/*" element={<CaseRoutes />} />
          <Route path="/dashboard/*" element={<DashboardRoutes />} />
          <Route path="/inspection/*" element={<InspectionRoutes />} />
          <Route path="/admin/*" element={<AdminRoutes />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </AppShell>
  );
}

export function App({ manager }: { manager: UserManager }) {
  const { language } = useLanguage();
  return (
    <ConfigProvider locale={language === 'vi' ? viVN : enUS} theme={THEME}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <AuthProvider manager={manager}>
            <ApiProvider>
              <PurposeProvider>
                <BrowserRouter>
                  <Routes>
                    <Route path={CALLBACK_PATH} element={<SignInCallback />} />
                    <Route path="*" element={<SignedInRoutes />} />
                  </Routes>
                </BrowserRouter>
              </PurposeProvider>
            </ApiProvider>
          </AuthProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
