import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Empty, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { QuerySchemas, unwrap, useApi } from '../../../api';
import { Page } from '../../../app/Page';
import { StatusTag } from '../../../app/StatusTag';
import { useAuth } from '../../../auth/auth';
import { formatDate } from '../../../format/format';

type Entry = QuerySchemas['schemas']['ReconciliationQueueEntryDto'];
const PAGE = 50;
/** A record's id, shortened for the eye (the full id is in the link). Not personal data. */
const short = (id: string) => id.slice(0, 8);

/** The records of my unit that were taken in incomplete (no sex, or a personal ID kept aside), oldest first: work to finish. */
function useIncomplete(unit: string | undefined) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['reconciliation-queue', 'incomplete', unit],
    enabled: unit !== undefined,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.query.GET('/api/v1/reconciliation-queue', {
          params: { query: { unit: unit!, reason: 'incomplete', limit: String(PAGE), ...(pageParam ? { after: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

export default function IncompletePage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const unit = user?.communes[0] ?? user?.provinces[0];
  const list = useIncomplete(unit);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const fieldLabel = (f: string) =>
    f === 'sex' ? t('reconciliation.incomplete.field.sex') : f === 'personalId' ? t('reconciliation.incomplete.field.personalId') : f;
  const columns: ColumnsType<Entry> = [
    {
      title: t('reconciliation.incomplete.record'),
      key: 'record',
      render: (_: unknown, e) => (
        <Link to={`/children/${e.childId}`} aria-label={t('reconciliation.incomplete.open', { id: short(e.childId) })}>
          {short(e.childId)}
        </Link>
      ),
    },
    {
      title: t('reconciliation.incomplete.missing'),
      key: 'missing',
      render: (_: unknown, e) => (
        <Space size={4} wrap>
          {(e.detail ?? '')
            .split(',')
            .filter(Boolean)
            .map((f) => (
              <StatusTag key={f} tone="warning">
                {fieldLabel(f)}
              </StatusTag>
            ))}
        </Space>
      ),
    },
    { title: t('reconciliation.incomplete.commune'), key: 'commune', responsive: ['sm'], render: (_: unknown, e) => e.communeCode ?? '' },
    { title: t('reconciliation.incomplete.registeredAt'), key: 'at', render: (_: unknown, e) => formatDate(e.requestedAt) },
  ];
  return (
    <Page title={t('reconciliation.incomplete.title')} intro={t('reconciliation.incomplete.intro')}>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Link to="/reconciliation/reviews">{t('reconciliation.duplicates.reviewsLink')}</Link>
        {list.error && <Alert type="error" showIcon message={list.error.message} />}
        <Table
          rowKey="childId"
          size="small"
          columns={columns}
          dataSource={items}
          loading={list.isLoading}
          pagination={false}
          locale={{ emptyText: <Empty description={t('reconciliation.incomplete.empty')} /> }}
        />
        {items.length > 0 && <Typography.Text type="secondary">{t('reconciliation.incomplete.count', { count: items.length })}</Typography.Text>}
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('reconciliation.incomplete.more')}
          </Button>
        )}
      </Space>
    </Page>
  );
}
