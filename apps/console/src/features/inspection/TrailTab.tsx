import { Alert, App as AntApp, Button, Col, Form, Input, Row, Segmented, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { formatDateTime, formatNumber } from '../../format/format';
import type { Purpose } from '../../purpose/purpose';
import { EVENT_TYPES, eventLabel, isoDay, text } from './labels';
import { PeriodFields } from './PeriodFields';
import { AuditEntry, TrailFilters, useAuditTrail, useInspectionDownloads } from './use-inspection';

interface FormValues {
  childId?: string;
  actorId?: string;
  unit?: string;
  eventType?: string;
  from?: Dayjs | null;
  to?: Dayjs | null;
}

const filtersOf = (v: FormValues): TrailFilters => ({
  childId: text(v.childId),
  actorId: text(v.actorId),
  unit: text(v.unit),
  eventType: v.eventType || undefined,
  from: isoDay(v.from),
  to: isoDay(v.to),
});

/** The audit trail: search by child, actor, unit, event type and period; a table or a timeline; CSV export; a proof per event. */
export function TrailTab({ purpose, onWhoViewed }: { purpose: Purpose; onWhoViewed(childId: string): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const [filters, setFilters] = useState<TrailFilters>();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [view, setView] = useState<'table' | 'timeline'>('table');
  const [busy, setBusy] = useState(false);
  const trail = useAuditTrail(filters, cursors[cursors.length - 1], purpose);
  const downloads = useInspectionDownloads(purpose);
  const error = trail.error instanceof ApiError ? trail.error : undefined;
  if (error?.problems.length) {
    const fields = error.problems.filter((p) => p.field).map((p) => ({ name: p.field as keyof FormValues, errors: [p.message] }));
    if (fields.length) queueMicrotask(() => form.setFields(fields));
  }
  const items = trail.data?.items ?? [];

  const run = async (what: () => Promise<string>, failed: 'inspection.exportFailed' | 'inspection.proofFailed') => {
    setBusy(true);
    try {
      message.success(t('inspection.exported', { file: await what() }));
    } catch (e) {
      message.error(t(failed, { message: e instanceof Error ? e.message : '' }));
    } finally {
      setBusy(false);
    }
  };

  // "What this user did": the same period, every action of that user (the other filters cleared).
  const byActor = (actorId: string) => {
    form.setFieldsValue({ childId: undefined, unit: undefined, eventType: undefined, actorId });
    setCursors([undefined]);
    setFilters({ actorId, from: filters?.from, to: filters?.to });
  };
  const who = (e: AuditEntry) => (
    <Space direction="vertical" size={0}>
      <Typography.Text>{e.actor.userId ?? '—'}</Typography.Text>
      <Typography.Text type="secondary">
        {t('inspection.roleUnit', { role: e.actor.role ? t(`role.${e.actor.role}`, { defaultValue: e.actor.role }) : '—', unit: e.actor.unit ?? '—' })}
      </Typography.Text>
    </Space>
  );
  const actions = (e: AuditEntry) => (
    <Space wrap size={0}>
      {e.childId && (
        <Button type="link" size="small" onClick={() => e.childId && onWhoViewed(e.childId)}>
          {t('inspection.whoViewed')}
        </Button>
      )}
      {e.actor.userId && (
        <Button type="link" size="small" onClick={() => e.actor.userId && byActor(e.actor.userId)}>
          {t('inspection.whatActorDid')}
        </Button>
      )}
      <Button type="link" size="small" disabled={busy} onClick={() => void run(() => downloads.proof(e.eventId), 'inspection.proofFailed')}>
        {t('inspection.proof')}
      </Button>
    </Space>
  );
  const columns = [
    { title: t('inspection.when'), key: 'when', width: 120, render: (_: unknown, e: AuditEntry) => formatDateTime(e.recordedAt) },
    {
      title: t('inspection.what'),
      key: 'what',
      render: (_: unknown, e: AuditEntry) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{eventLabel(t, e.eventType)}</Typography.Text>
          {e.personalDataErased && <Tag>{t('inspection.erased')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('inspection.record'),
      key: 'record',
      width: 170,
      render: (_: unknown, e: AuditEntry) => (
        <Typography.Text code style={{ wordBreak: 'break-all' }}>
          {e.caseId ?? e.childId ?? e.streamId}
        </Typography.Text>
      ),
    },
    { title: t('inspection.who'), key: 'who', render: (_: unknown, e: AuditEntry) => who(e) },
    { title: t('inspection.why'), key: 'why', width: 160, render: (_: unknown, e: AuditEntry) => e.reason ?? t('inspection.noReason') },
    { title: t('inspection.actions'), key: 'actions', render: (_: unknown, e: AuditEntry) => actions(e) },
  ];

  return (
    <section aria-labelledby="trail-filters">
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('inspection.filters')}
      </Typography.Title>
      <Form<FormValues>
        form={form}
        name="trail"
        layout="vertical"
        onFinish={(v) => {
          setCursors([undefined]);
          setFilters(filtersOf(v));
        }}
      >
        <Row gutter={16}>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item name="childId" label={t('inspection.childId')}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item name="actorId" label={t('inspection.actorId')}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item
              name="unit"
              label={t('inspection.unit')}
              extra={t('inspection.unitHelp')}
              rules={[{ pattern: /^(\d{2}|\d{5})$/, message: t('inspection.unitHelp') }]}
            >
              <Input inputMode="numeric" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item name="eventType" label={t('inspection.eventType')}>
              <Select
                allowClear
                placeholder={t('inspection.anyEventType')}
                options={EVENT_TYPES.map((type) => ({ value: type, label: eventLabel(t, type) }))}
              />
            </Form.Item>
          </Col>
          <PeriodFields form={form} />
        </Row>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={trail.isFetching}>
            {t('inspection.search')}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              setFilters(undefined);
              setCursors([undefined]);
            }}
          >
            {t('inspection.clear')}
          </Button>
          <Button disabled={!filters || busy} loading={busy} onClick={() => filters && void run(() => downloads.trailCsv(filters), 'inspection.exportFailed')}>
            {t('inspection.exportCsv')}
          </Button>
        </Space>
      </Form>
      {trail.error && !error?.problems.length && (
        <Alert type="error" showIcon style={{ marginTop: 16 }} message={t('inspection.failed', { message: trail.error.message })} />
      )}
      {filters && (
        <>
          <Space wrap style={{ margin: '16px 0', justifyContent: 'space-between', width: '100%' }}>
            <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
              {t('inspection.results')}
            </Typography.Title>
            <Segmented<'table' | 'timeline'>
              aria-label={t('inspection.view')}
              value={view}
              onChange={setView}
              options={[
                { value: 'table', label: t('inspection.viewTable') },
                { value: 'timeline', label: t('inspection.viewTimeline') },
              ]}
            />
          </Space>
          {view === 'table' ? (
            <>
              {/* Scrolls sideways on a phone: the keyboard must reach it (WCAG 2.1.1, axe scrollable-region-focusable). */}
              {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
              <div role="region" aria-label={t('inspection.results')} tabIndex={0} style={{ overflowX: 'auto' }}>
                <Table<AuditEntry>
                  style={{ minWidth: 900 }}
                  rowKey="eventId"
                  size="small"
                  loading={trail.isFetching}
                  columns={columns}
                  dataSource={items}
                  pagination={false}
                  locale={{ emptyText: <Typography.Text type="secondary">{t('inspection.none')}</Typography.Text> }}
                />
              </div>
            </>
          ) : items.length === 0 ? (
            <Typography.Text type="secondary">{t('inspection.none')}</Typography.Text>
          ) : (
            <Timeline
              items={items.map((e) => ({
                key: e.eventId,
                children: (
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong>
                      {formatDateTime(e.recordedAt)} · {eventLabel(t, e.eventType)}
                    </Typography.Text>
                    <Typography.Text>
                      <Typography.Text code>{e.caseId ?? e.childId ?? e.streamId}</Typography.Text>
                    </Typography.Text>
                    {who(e)}
                    {e.reason && (
                      <Typography.Text>
                        {t('inspection.why')}: {e.reason}
                      </Typography.Text>
                    )}
                    {actions(e)}
                  </Space>
                ),
              }))}
            />
          )}
          <Space style={{ marginTop: 12 }} wrap>
            <Typography.Text type="secondary">
              {t('inspection.pageInfo', { page: formatNumber(cursors.length), n: formatNumber(items.length) })}
            </Typography.Text>
            <Button disabled={cursors.length === 1} onClick={() => setCursors([undefined])}>
              {t('inspection.first')}
            </Button>
            <Button disabled={!trail.data?.nextCursor} onClick={() => trail.data?.nextCursor && setCursors([...cursors, trail.data.nextCursor])}>
              {t('inspection.next')}
            </Button>
          </Space>
        </>
      )}
    </section>
  );
}
