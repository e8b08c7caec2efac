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
    { key: 'targets', label: t('admin.tabs.targets') },
    { key: 'populations', label: t('admin.tabs.populations') },
    { key: 'partners', label: t('admin.tabs.partners') },
  ];
  const content = tab === 'partners' ? <PartnersTab /> : <ReferenceTab key={tab} kind={tab} />;
  // On a phone the tabs do not fit (antd's "more" button fails axe): a list of sections instead, as on the
  // inspection screen. The section's content stays at the same place in the tree whichever control is shown,
  // so a change of breakpoint (a full-page screenshot resizes the page for a moment) never loses what was chosen.
  const narrow = Grid.useBreakpoint().md === false;
  return (
    <Page title={t('admin.title')} intro={t('admin.intro')}>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        {narrow ? (
          <Segmented<string>
            vertical
            block
            aria-label={t('admin.title')}
            value={tab}
            onChange={go}
            options={items.map((i) => ({ value: i.key, label: i.label }))}
          />
        ) : (
          <Tabs activeKey={tab} onChange={go} items={items} />
        )}
        <div>{content}</div>
      </Space>
    </Page>
  );
}
