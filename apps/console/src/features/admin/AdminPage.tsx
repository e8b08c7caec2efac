import { Grid, Segmented, Space, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { Page } from '../../app/Page';
import { PartnersTab } from './PartnersTab';
import { ReferenceTab } from './ReferenceTab';

const TABS = ['targets', 'populations', 'partners'] as const;
type Tab = (typeof TABS)[number];

/** The administrator's screen: targets, child populations, data-sharing agreements. */
export default function AdminPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'targets';
  const go = (k: string) => setParams({ tab: k });
  const items = [
    { key: 'targets', label: t('admin.tabs.targets'), children: <ReferenceTab key="targets" kind="targets" /> },
    { key: 'populations', label: t('admin.tabs.populations'), children: <ReferenceTab key="populations" kind="populations" /> },
    { key: 'partners', label: t('admin.tabs.partners'), children: <PartnersTab /> },
  ];
  // On a phone the tabs do not fit (antd's "more" button fails axe): a list of sections instead, as on the inspection screen.
  const narrow = Grid.useBreakpoint().md === false;
  return (
    <Page title={t('admin.title')} intro={t('admin.intro')}>
      {narrow ? (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Segmented<string>
            vertical
            block
            aria-label={t('admin.title')}
            value={tab}
            onChange={go}
            options={items.map((i) => ({ value: i.key, label: i.label }))}
          />
          {items.find((i) => i.key === tab)?.children}
        </Space>
      ) : (
        <Tabs activeKey={tab} onChange={go} items={items} destroyInactiveTabPane />
      )}
    </Page>
  );
}
