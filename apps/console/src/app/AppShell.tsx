import { Button, Drawer, Grid, Layout, Menu, Space, Typography } from 'antd';
import { ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { useAuth } from '../auth/auth';
import type { SessionUser } from '../auth/session-user';
import { useLanguage } from '../i18n/use-language';
import { MENU } from './menu';
import { useUnitLabel } from './use-unit-label';

const { Header, Sider, Content } = Layout;

function MainMenu({ user, onNavigate }: { user: SessionUser; onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const entries = user.role ? MENU[user.role] : [];
  // The longest matching path is the current screen (/children/new is not /children).
  const selected = entries.filter((e) => pathname === e.path || pathname.startsWith(`${e.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
  return (
    <nav aria-label={t('shell.mainMenu')}>
      <Menu
        mode="inline"
        selectedKeys={selected ? [selected.path] : []}
        style={{ borderInlineEnd: 'none' }}
        items={entries.map((e) => ({
          key: e.path,
          label: (
            <Link to={e.path} onClick={onNavigate} aria-current={selected?.path === e.path ? 'page' : undefined}>
              {t(e.label)}
            </Link>
          ),
        }))}
      />
    </nav>
  );
}

/** The frame of every screen: who is signed in, the language, sign-out, and the role's menu. */
export function AppShell({ user, children }: { user: SessionUser; children: ReactNode }) {
  const { t } = useTranslation();
  const { signOut } = useAuth();
  const { language, setLanguage } = useLanguage();
  const unit = useUnitLabel(user);
  const screens = Grid.useBreakpoint();
  const wide = screens.lg ?? true;
  const [menuOpen, setMenuOpen] = useState(false);
  const other = language === 'vi' ? 'en' : 'vi';

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Header
        style={{
          background: '#fff',
          borderBottom: '1px solid #f0f0f0',
          height: 'auto',
          lineHeight: 1.4,
          padding: wide ? '8px 24px' : '8px 12px',
          display: 'flex',
          flexWrap: 'wrap',
          alignItems: 'center',
          gap: 12,
        }}
      >
        {!wide && (
          <Button onClick={() => setMenuOpen(true)} aria-expanded={menuOpen}>
            {t('shell.openMenu')}
          </Button>
        )}
        <Typography.Text strong style={{ fontSize: 18 }}>
          {t('app.name')}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <section aria-label={t('shell.user')} style={{ display: 'flex', flexDirection: 'column', minWidth: 0 }}>
          <Typography.Text strong>{user.name}</Typography.Text>
          <Typography.Text type="secondary">
            {user.role ? t(`role.${user.role}`) : null}
            {user.role ? ' · ' : null}
            {unit}
          </Typography.Text>
        </section>
        <Space wrap>
          <Button lang={other} onClick={() => setLanguage(other)}>
            {t(`language.${other}`)}
          </Button>
          <Button onClick={() => void signOut()}>{t('shell.signOut')}</Button>
        </Space>
      </Header>
      <Layout>
        {wide ? (
          <Sider width={220} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
            <MainMenu user={user} />
          </Sider>
        ) : (
          <Drawer open={menuOpen} onClose={() => setMenuOpen(false)} placement="left" size={260} title={t('shell.mainMenu')}>
            <MainMenu user={user} onNavigate={() => setMenuOpen(false)} />
          </Drawer>
        )}
        <Content id="main" tabIndex={-1} style={{ padding: wide ? 24 : 12, background: '#f5f5f5' }}>
          {children}
        </Content>
      </Layout>
    </Layout>
  );
}
