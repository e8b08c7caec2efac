import { Alert, App as AntApp, Button, Form, Input, Modal, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { StatusTag } from '../../app/StatusTag';
import { formatDateTime, formatNumber } from '../../format/format';
import type { IndicatorQuery } from './use-indicators';
import { PublicationSummary, Recompute, usePublicationWorkbook, usePublications, usePublish, useRecompute } from './use-publications';

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

/** The "Publish figures" button and its dialog: freezes what the dashboard shows for this query. */
export function PublishButton({ query, periodLabel }: { query: IndicatorQuery; periodLabel: string }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ title: string; note?: string }>();
  const publish = usePublish();
  const submit = async (values: { title: string; note?: string }) => {
    try {
      const p = await publish.mutateAsync({ query, title: values.title.trim(), note: values.note?.trim() });
      void message.success(t('dashboard.published', { title: p.title, position: formatNumber(p.logPositionNumber) }));
      setOpen(false);
      form.resetFields();
    } catch {
      // shown in the dialog
    }
  };
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('dashboard.publish')}
      </Button>
      <Modal
        open={open}
        title={t('dashboard.publishTitle', { unit: query.unit, period: periodLabel })}
        okText={t('dashboard.publishSubmit')}
        cancelText={t('dashboard.cancel')}
        confirmLoading={publish.isPending}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('dashboard.publishIntro')}</Typography.Paragraph>
        {publish.error && <Alert type="error" showIcon message={errorText(publish.error)} style={{ marginBottom: 16 }} />}
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) => void submit(v)}
          initialValues={{ title: t('dashboard.publishTitle', { unit: query.unit, period: periodLabel }) }}
        >
          <Form.Item name="title" label={t('dashboard.publishName')} rules={[{ required: true, whitespace: true, max: 200 }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="note" label={t('dashboard.publishNote')} rules={[{ max: 2000 }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** The unit's published figures: when, at which log position, by whom; each can be recomputed from the log. */
export function PublishedFigures({ unit }: { unit: string }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const list = usePublications(unit);
  const recompute = useRecompute();
  const workbook = usePublicationWorkbook();
  const [checked, setChecked] = useState<Record<string, Recompute>>({});
  const [checking, setChecking] = useState<string | null>(null);

  const check = async (p: PublicationSummary) => {
    setChecking(p.id);
    try {
      const r = await recompute.mutateAsync(p.id);
      setChecked((c) => ({ ...c, [p.id]: r }));
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setChecking(null);
    }
  };

  const columns: ColumnsType<PublicationSummary> = [
    {
      title: t('dashboard.colPublication'),
      key: 'title',
      render: (_: unknown, p) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{p.title}</Typography.Text>
          <Typography.Text type="secondary">
            {p.periodLabel}
            {p.supersedes ? ` · ${t('dashboard.supersedes')}` : ''}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('dashboard.colPublishedAt'), key: 'at', render: (_: unknown, p) => formatDateTime(p.publishedAt) },
    { title: t('dashboard.colLogPosition'), key: 'position', align: 'right', render: (_: unknown, p) => formatNumber(p.logPositionNumber) },
    { title: t('dashboard.colPublishedBy'), key: 'by', responsive: ['md'], render: (_: unknown, p) => p.publishedBy },
    {
      title: t('dashboard.colCheck'),
      key: 'check',
      render: (_: unknown, p) => {
        const r = checked[p.id];
        return (
          <Space direction="vertical" size={4}>
            <Space wrap>
              <Button size="small" onClick={() => void check(p)} loading={checking === p.id} aria-label={t('dashboard.recomputeLabel', { title: p.title })}>
                {t('dashboard.recompute')}
              </Button>
              <Button size="small" onClick={() => void workbook(p).catch((e: unknown) => void message.error(errorText(e)))}>
                {t('dashboard.exportPublication')}
              </Button>
              {r &&
                (r.equal ? (
                  <StatusTag tone="good">{t('dashboard.matches')}</StatusTag>
                ) : (
                  <StatusTag tone="bad">{t('dashboard.differs', { count: r.differenceCount })}</StatusTag>
                ))}
            </Space>
            {r && (
              <Typography.Text type="secondary" role="status">
                {r.equal ? t('dashboard.matchesDetail', { events: formatNumber(r.replay.eventsRead) }) : t('dashboard.differsDetail')}
              </Typography.Text>
            )}
            {r && !r.equal && (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {r.differences.map((d) => (
                  <li key={d.path}>
                    {t('dashboard.difference', {
                      path: d.path,
                      published: String(d.published ?? t('dashboard.none')),
                      recomputed: String(d.recomputed ?? t('dashboard.none')),
                    })}
                  </li>
                ))}
              </ul>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <section aria-labelledby="dashboard-publications-title">
      <Typography.Title level={2} id="dashboard-publications-title" style={{ fontSize: 18 }}>
        {t('dashboard.publicationsTitle')}
      </Typography.Title>
      {list.error && <Alert type="error" showIcon message={errorText(list.error)} />}
      <Table
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.isFetching}
        pagination={false}
        locale={{ emptyText: <Typography.Text type="secondary">{t('dashboard.publicationsEmpty')}</Typography.Text> }}
      />
    </section>
  );
}
