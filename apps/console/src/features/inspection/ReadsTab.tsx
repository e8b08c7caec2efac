import { Alert, App as AntApp, Button, Col, Form, Grid, Input, Row, Segmented, Select, Space, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { formatDateTime, formatNumber } from '../../format/format';
import { Purpose, PURPOSES } from '../../purpose/purpose';
import { isoDay, resourceLabel, text, viewLabel } from './labels';
import { PeriodFields } from './PeriodFields';
import { ReadAuditEntry, ReadFilters, useInspectionDownloads, useReadAudit } from './use-inspection';

type Mode = 'child' | 'actor';

interface FormValues {
  subject?: string;
  readPurpose?: Purpose;
  from?: Dayjs | null;
  to?: Dayjs | null;
}

/**
 * Who viewed a child's record (or what a user viewed): when, with which purpose, what; paged by the
 * server; CSV export. Opened from a row of the audit trail, `preset` fills in the child (or the
 * user); the period is the inspector's to choose. The page remounts this tab (its `key`) when the
 * preset changes.
 */
export function ReadsTab({ purpose, preset }: { purpose: Purpose; preset?: { mode: Mode; id: string } }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const narrow = Grid.useBreakpoint().sm === false;
  const [mode, setMode] = useState<Mode>(preset?.mode ?? 'child');
  const [filters, setFilters] = useState<ReadFilters>();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [busy, setBusy] = useState(false);
  const reads = useReadAudit(filters, cursors[cursors.length - 1], purpose);
  const downloads = useInspectionDownloads(purpose);

  const error = reads.error instanceof ApiError ? reads.error : undefined;
  const items = reads.data?.items ?? [];
  const columns = [
    { title: t('inspection.when'), key: 'when', render: (_: unknown, r: ReadAuditEntry) => formatDateTime(r.at) },
    {
      title: t('inspection.reads.reader'),
      key: 'reader',
      render: (_: unknown, r: ReadAuditEntry) => (
        <Space direction="vertical" size={0}>
          <Typography.Text>{r.userId}</Typography.Text>
          <Typography.Text type="secondary">
            {t('inspection.roleUnit', { role: t(`role.${r.role}`, { defaultValue: r.role }), unit: r.userUnits.join(', ') })}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('inspection.reads.purpose'),
      key: 'purpose',
      render: (_: unknown, r: ReadAuditEntry) => t(`terms.purpose.${r.purpose as Purpose}`, { defaultValue: r.purpose }),
    },
    {
      title: t('inspection.reads.viewed'),
      key: 'viewed',
      render: (_: unknown, r: ReadAuditEntry) => (
        <Space direction="vertical" size={0}>
          <Typography.Text>{resourceLabel(t, r.resourceType)}</Typography.Text>
          <Typography.Text type="secondary">{viewLabel(t, r.view)}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t('inspection.record'),
      key: 'record',
      render: (_: unknown, r: ReadAuditEntry) => (r.childId ? <Typography.Text code>{r.childId}</Typography.Text> : '—'),
    },
  ];

  const onFinish = (v: FormValues) => {
    const subject = text(v.subject);
    if (!subject) {
      form.setFields([{ name: 'subject', errors: [t('inspection.reads.needsSubject')] }]);
      return;
    }
    setCursors([undefined]);
    setFilters({
      childId: mode === 'child' ? subject : undefined,
      actorId: mode === 'actor' ? subject : undefined,
      readPurpose: v.readPurpose,
      from: isoDay(v.from),
      to: isoDay(v.to),
    });
  };

  const exportCsv = async () => {
    if (!filters) return;
    setBusy(true);
    try {
      message.success(t('inspection.exported', { file: await downloads.readsCsv(filters) }));
    } catch (e) {
      message.error(t('inspection.exportFailed', { message: e instanceof Error ? e.message : '' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="reads-filters">
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('inspection.filters')}
      </Typography.Title>
      <Form<FormValues> form={form} name="reads" layout="vertical" onFinish={onFinish} initialValues={{ subject: preset?.id }}>
        <Form.Item label={t('inspection.reads.mode')}>
          <Segmented<Mode>
            vertical={narrow}
            block={narrow}
            aria-label={t('inspection.reads.mode')}
            value={mode}
            onChange={(m) => {
              setMode(m);
              setFilters(undefined);
            }}
            options={[
              { value: 'child', label: t('inspection.reads.byChild') },
              { value: 'actor', label: t('inspection.reads.byActor') },
            ]}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12} lg={12}>
            <Form.Item name="subject" label={mode === 'child' ? t('inspection.childId') : t('inspection.actorId')}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={12}>
            <Form.Item name="readPurpose" label={t('inspection.reads.readPurpose')}>
              <Select allowClear placeholder={t('inspection.reads.anyPurpose')} options={PURPOSES.map((p) => ({ value: p, label: t(`terms.purpose.${p}`) }))} />
            </Form.Item>
          </Col>
          <PeriodFields form={form} />
        </Row>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={reads.isFetching}>
            {t('inspection.search')}
          </Button>
          <Button disabled={!filters || busy} loading={busy} onClick={() => void exportCsv()}>
            {t('inspection.exportCsv')}
          </Button>
        </Space>
      </Form>
      {reads.error && (
        <Alert type="error" showIcon style={{ marginTop: 16 }} message={t('inspection.failed', { message: error?.message ?? reads.error.message })} />
      )}
      {filters && (
        <>
          <Typography.Title level={2} style={{ fontSize: 18, margin: '16px 0' }}>
            {t('inspection.results')}
          </Typography.Title>
          {/* Scrolls sideways on a phone: the keyboard must reach it (WCAG 2.1.1, axe scrollable-region-focusable). */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <div role="region" aria-label={t('inspection.results')} tabIndex={0} style={{ overflowX: 'auto' }}>
            <Table<ReadAuditEntry>
              style={{ minWidth: 760 }}
              rowKey={(r) => [r.at, r.userId, r.resourceType, r.resourceId, r.view, r.correlationId ?? ''].join('|')}
              size="small"
              loading={reads.isFetching}
              columns={columns}
              dataSource={items}
              pagination={false}
              locale={{ emptyText: <Typography.Text type="secondary">{t('inspection.none')}</Typography.Text> }}
            />
          </div>
          <Space style={{ marginTop: 12 }} wrap>
            <Typography.Text type="secondary">
              {t('inspection.pageInfo', { page: formatNumber(cursors.length), n: formatNumber(items.length) })}
            </Typography.Text>
            <Button disabled={cursors.length === 1} onClick={() => setCursors([undefined])}>
              {t('inspection.first')}
            </Button>
            <Button disabled={!reads.data?.nextCursor} onClick={() => reads.data?.nextCursor && setCursors([...cursors, reads.data.nextCursor])}>
              {t('inspection.next')}
            </Button>
          </Space>
        </>
      )}
    </section>
  );
}
