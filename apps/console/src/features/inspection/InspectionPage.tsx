import { Grid, Segmented, Space, Tabs } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { Page } from '../../app/Page';
import { Purpose, PurposeGate } from '../../purpose/purpose';
import { AsOfTab } from './AsOfTab';
import { IntegrityTab } from './IntegrityTab';
import { ReadsTab } from './ReadsTab';
import { TrailTab } from './TrailTab';

const TABS = ['trail', 'reads', 'asOf', 'integrity'] as const;
type Tab = (typeof TABS)[number];

function InspectionScreen({ purpose }: { purpose: Purpose }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'trail';
  const childId = params.get('childId');
  const actorId = params.get('actorId');
  const preset = useMemo(
    () => (childId ? { mode: 'child' as const, id: childId } : actorId ? { mode: 'actor' as const, id: actorId } : undefined),
    [childId, actorId],
  );
  const go = (next: Record<string, string>) => setParams(next);
  const [visited, setVisited] = useState<ReadonlySet<string>>(() => new Set([tab]));
  if (!visited.has(tab)) setVisited(new Set([...visited, tab]));
  // On a phone the four tabs do not fit: antd then puts a "more" button inside the tab list (which
  // axe refuses, aria-required-children), so a narrow screen chooses the section from a list instead.
  const narrow = Grid.useBreakpoint().md === false;
  const items = [
    {
      key: 'trail',
      label: t('inspection.tabs.trail'),
      children: <TrailTab purpose={purpose} onWhoViewed={(id) => go({ tab: 'reads', childId: id })} />,
    },
    {
      key: 'reads',
      label: t('inspection.tabs.reads'),
      children: <ReadsTab key={preset ? `${preset.mode}:${preset.id}` : 'none'} purpose={purpose} preset={preset} />,
    },
    { key: 'asOf', label: t('inspection.tabs.asOf'), children: <AsOfTab purpose={purpose} /> },
    { key: 'integrity', label: t('inspection.tabs.integrity'), children: <IntegrityTab purpose={purpose} /> },
  ];
  // The sections stay where they are in the tree whatever the width (a phone turned, a window
  // resized, a full-page screenshot resizing the page for a moment, as on the administration screen): switching between the tab bar and the list must not unmount
  // them, or an inspector's search and its results would be lost. Each section is mounted once
  // visited and kept (hidden) while another is shown, as the tabs kept them before.
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {narrow ? (
        <Segmented<string>
          vertical
          block
          aria-label={t('inspection.title')}
          value={tab}
          onChange={(k) => go({ tab: k })}
          options={items.map((i) => ({ value: i.key, label: i.label }))}
        />
      ) : (
        <Tabs activeKey={tab} onChange={(k) => go({ tab: k })} items={items.map(({ key, label }) => ({ key, label }))} style={{ marginBottom: -16 }} />
      )}
      {items
        .filter((i) => i.key === tab || visited.has(i.key))
        .map((i) => (
          <div key={i.key} hidden={i.key !== tab}>
            {i.children}
          </div>
        ))}
    </Space>
  );
}

/** The inspector's screen: audit trail, read audit, a record on a date, integrity of the log. Personal data behind a stated purpose. */
export default function InspectionPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('inspection.title')} intro={t('inspection.intro')}>
      <PurposeGate record="inspection" allowed={['inspection', 'data_correction']}>
        {(purpose) => <InspectionScreen purpose={purpose} />}
      </PurposeGate>
    </Page>
  );
}
