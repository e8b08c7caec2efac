import { Alert, App as AntApp, Button, Segmented, Space, Table, Tabs, Tag, Typography } from 'antd';
import { StatusTag } from '../../app/StatusTag';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api';
import { Page } from '../../app/Page';
import { formatDate, formatNumber } from '../../format/format';
import { caseStatusLabel, protectionLevelLabel } from './labels';
import { useAssignCase, useWorklist, WORKLIST_PAGE_SIZE } from './use-cases';
import type { WorklistDue, WorklistItem, WorklistView } from './use-cases';

const VIEWS: readonly WorklistView[] = ['mine', 'unassigned'];
type DueFilter = 'all' | WorklistDue;
export function DueTags({ overdue, dueSoon }: { overdue: boolean; dueSoon: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      {overdue && <StatusTag tone="bad">{t('cases.overdue')}</StatusTag>}
      {dueSoon && <StatusTag tone="warning">{t('cases.dueSoon')}</StatusTag>}
    </>
  );
}

export default function CaseListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [params, setParams] = useSearchParams();
  const view: WorklistView = params.get('view') === 'unassigned' ? 'unassigned' : 'mine';
  const dueParam = params.get('due');
  const due: DueFilter = dueParam === 'overdue' || dueParam === 'due_soon' ? dueParam : 'all';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const worklist = useWorklist(view, due === 'all' ? undefined : due, page);
  const assign = useAssignCase();
  const [takeError, setTakeError] = useState<string | null>(null);

  const go = (next: { view?: WorklistView; due?: DueFilter; page?: number }) => {
    const v = next.view ?? view;
    const d = next.due ?? due;
    const p = next.page ?? 1;
    const sp = new URLSearchParams();
    if (v !== 'mine') sp.set('view', v);
    if (d !== 'all') sp.set('due', d);
    if (p > 1) sp.set('page', String(p));
    setParams(sp);
  };

  const take = async (caseId: string) => {
    setTakeError(null);
    try {
      await assign.mutateAsync({ caseId });
      void message.success(t('cases.taken'));
      navigate(`/cases/${caseId}`);
    } catch (e) {
      setTakeError(e instanceof ApiError ? e.message : String(e));
    }
  };

  const columns: ColumnsType<WorklistItem> = [
    {
      title: t('cases.colStep'),
      key: 'step',
      render: (_: unknown, c) => <Link to={`/cases/${c.caseId}`}>{caseStatusLabel(t, c.status)}</Link>,
    },
    {
      title: t('cases.colDeadline'),
      key: 'deadline',
      render: (_: unknown, c) => (
        <Space size={4} wrap>
          <span>{c.nextDueAt ? formatDate(c.nextDueAt) : t('cases.noDeadline')}</span>
          <DueTags overdue={c.overdue} dueSoon={c.dueSoon} />
        </Space>
      ),
    },
    { title: t('cases.colProtection'), key: 'protection', responsive: ['md'], render: (_: unknown, c) => protectionLevelLabel(t, c.protectionLevel) },
    { title: t('cases.colReported'), key: 'reported', responsive: ['md'], render: (_: unknown, c) => (c.reportedAt ? formatDate(c.reportedAt) : '') },
    ...(view === 'mine'
      ? []
      : [
          {
            title: t('cases.colActions'),
            key: 'actions',
            render: (_: unknown, c: WorklistItem) => (
              <Button
                size="small"
                type="primary"
                loading={assign.isPending && assign.variables?.caseId === c.caseId}
                onClick={(e) => {
                  e.stopPropagation();
                  void take(c.caseId);
                }}
              >
                {t('cases.take')}
              </Button>
            ),
          },
        ]),
  ];

  const data = worklist.data;
  return (
    <Page title={t('cases.title')} intro={t('cases.intro')}>
      <Tabs
        activeKey={view}
        onChange={(k) => go({ view: k === 'unassigned' ? 'unassigned' : 'mine', due: 'all' })}
        items={VIEWS.map((v) => ({ key: v, label: v === 'mine' ? t('cases.tabMine') : t('cases.tabUnassigned') }))}
      />
      <Space wrap style={{ marginBottom: 12 }}>
        {data && (
          <>
            <Tag>{t('cases.countOpen', { count: data.total })}</Tag>
            <StatusTag tone="bad">{t('cases.countOverdue', { count: data.overdue })}</StatusTag>
            <StatusTag tone="warning">{t('cases.countDueSoon', { count: data.dueSoon })}</StatusTag>
          </>
        )}
        <Segmented<DueFilter>
          aria-label={t('cases.filterLabel')}
          value={due}
          onChange={(d) => go({ due: d })}
          options={[
            { value: 'all', label: t('cases.filterAll') },
            { value: 'overdue', label: t('cases.filterOverdue') },
            { value: 'due_soon', label: t('cases.filterDueSoon') },
          ]}
        />
      </Space>
      {worklist.error && <Alert type="error" showIcon message={worklist.error.message} style={{ marginBottom: 12 }} />}
      {takeError && <Alert type="error" showIcon message={takeError} closable onClose={() => setTakeError(null)} style={{ marginBottom: 12 }} />}
      <Table<WorklistItem>
        rowKey="caseId"
        size="middle"
        loading={worklist.isFetching}
        columns={columns}
        dataSource={data?.cases ?? []}
        locale={{ emptyText: <Typography.Text type="secondary">{t('cases.empty')}</Typography.Text> }}
        onRow={(c) => ({ onClick: () => navigate(`/cases/${c.caseId}`), style: { cursor: 'pointer' } })}
        pagination={{
          current: page,
          pageSize: WORKLIST_PAGE_SIZE,
          total: data?.matching ?? 0,
          showSizeChanger: false,
          showTotal: (total, [from, to]) => t('cases.paging', { from: formatNumber(from), to: formatNumber(to), total: formatNumber(total) }),
          onChange: (p) => go({ page: p }),
        }}
      />
    </Page>
  );
}
