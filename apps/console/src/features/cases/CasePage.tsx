import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Form, Input, Select, Segmented, Space, Spin, Steps, Typography } from 'antd';
import { StatusTag } from '../../app/StatusTag';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiError, unwrap, useApi } from '../../api';
import { Page } from '../../app/Page';
import { DATE_INPUT_FORMAT, formatDate, formatDateTime } from '../../format/format';
import { Purpose, PurposeGate } from '../../purpose/purpose';
import {
  CASE_OUTCOMES,
  caseStatusLabel,
  isCaseStatus,
  outcomeLabel,
  protectionLevelLabel,
  RISK_LEVELS,
  riskLevelLabel,
  SERVICE_TYPES,
  serviceTypeLabel,
} from './labels';
import type { CaseStatus } from './labels';
import { useAssignCase, useCaseRecord, useCaseRevision } from './use-cases';
import type { CaseRecord, PlannedInterventionView } from './use-cases';

type Action = 'assess' | 'plan' | 'deliver' | 'review' | 'close' | 'reopen';
/** What a case worker can do at each step (the registry refuses anything else with a clear error). */
const ACTIONS: Record<CaseStatus, readonly Action[]> = {
  report_received: ['assess'],
  assessed: ['plan'],
  planned: ['deliver', 'plan'],
  implementing: ['deliver', 'review', 'plan'],
  reviewed: ['close', 'review', 'deliver'],
  closed: ['reopen'],
};
/** The stepper's current step: report → assessment → plan → delivery → review → closure. */
const CURRENT: Record<CaseStatus, number> = { report_received: 1, assessed: 2, planned: 3, implementing: 4, reviewed: 5, closed: 6 };
const STEP_KEYS = ['report', 'assessment', 'plan', 'delivery', 'review', 'closure'] as const;

interface FormValues {
  riskLevel?: string;
  notes?: string;
  serviceType?: string;
  provider?: string;
  plannedStart?: Dayjs;
  plannedEnd?: Dayjs;
  interventionId?: string;
  deliveredOn?: Dayjs;
  outcome?: string;
  reason?: string;
}

const day = (d: Dayjs | undefined) => (d ? d.format('YYYY-MM-DD') : '');
const text = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : undefined);

function StepForm({
  record,
  etag,
  interventions,
  onDone,
}: {
  record: CaseRecord;
  etag: string | undefined;
  interventions: PlannedInterventionView[];
  onDone: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const status = isCaseStatus(record.status) ? record.status : 'report_received';
  const actions = ACTIONS[status];
  const [action, setAction] = useState<Action>(actions[0] ?? 'assess');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: FormValues) => {
    setSaving(true);
    setError(null);
    const caseId = record.caseId;
    const params = { path: { caseId }, header: etag ? { 'If-Match': etag } : {} };
    try {
      if (action === 'assess')
        unwrap(
          await api.registry.POST('/api/v1/cases/{caseId}/assessment', {
            params,
            body: { riskLevel: v.riskLevel as (typeof RISK_LEVELS)[number], notes: text(v.notes) },
          }),
        );
      else if (action === 'plan')
        unwrap(
          await api.registry.POST('/api/v1/cases/{caseId}/interventions', {
            params,
            body: {
              serviceType: v.serviceType as (typeof SERVICE_TYPES)[number],
              provider: v.provider ?? '',
              plannedStart: day(v.plannedStart),
              plannedEnd: day(v.plannedEnd),
            },
          }),
        );
      else if (action === 'deliver')
        unwrap(
          await api.registry.POST('/api/v1/cases/{caseId}/interventions/{interventionId}/deliveries', {
            params: { ...params, path: { caseId, interventionId: v.interventionId ?? '' } },
            body: { deliveredOn: day(v.deliveredOn), notes: text(v.notes) },
          }),
        );
      else if (action === 'review')
        unwrap(
          await api.registry.POST('/api/v1/cases/{caseId}/reviews', {
            params,
            body: { riskLevel: v.riskLevel as (typeof RISK_LEVELS)[number] | undefined, notes: text(v.notes) },
          }),
        );
      else if (action === 'close')
        unwrap(await api.registry.POST('/api/v1/cases/{caseId}/closure', { params, body: { outcome: v.outcome as (typeof CASE_OUTCOMES)[number] } }));
      else unwrap(await api.registry.POST('/api/v1/cases/{caseId}/reopening', { params, body: { reason: v.reason ?? '' } }));
      void message.success(t('casePage.saved'));
      form.resetFields();
      await onDone();
    } catch (e) {
      if (e instanceof ApiError) {
        const fields = e.problems.filter((p) => p.field && p.field in FIELD_NAMES).map((p) => ({ name: p.field as keyof FormValues, errors: [p.message] }));
        if (fields.length) form.setFields(fields);
        if (e.status === 409) {
          setError(t('casePage.conflict'));
          await onDone();
        } else if (!fields.length) setError(e.message);
      } else setError(String(e));
    } finally {
      setSaving(false);
    }
  };

  const required = (label: string) => [{ required: true, message: t('casePage.required', { field: label.toLowerCase() }) }];
  const notes = (
    <Form.Item name="notes" label={t('casePage.notes')}>
      <Input.TextArea rows={3} maxLength={4000} />
    </Form.Item>
  );
  const riskOptions = RISK_LEVELS.map((r) => ({ value: r, label: t(`terms.riskLevel.${r}`) }));
  return (
    <Card size="small" title={t(`casePage.action.${action}`)}>
      {actions.length > 1 && (
        <Space style={{ marginBottom: 12 }} wrap>
          <Typography.Text>{t('casePage.chooseAction')}</Typography.Text>
          <Segmented<Action>
            aria-label={t('casePage.chooseAction')}
            value={action}
            onChange={(a) => {
              setAction(a);
              setError(null);
            }}
            options={actions.map((a) => ({ value: a, label: t(`casePage.action.${a}`) }))}
          />
        </Space>
      )}
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed) => form.setFields(Object.keys(changed).map((k) => ({ name: k as keyof FormValues, errors: [] })))}
        style={{ maxWidth: 560 }}
      >
        {action === 'assess' && (
          <>
            <Form.Item name="riskLevel" label={t('casePage.riskLevel')} rules={required(t('casePage.riskLevel'))}>
              <Select options={riskOptions} />
            </Form.Item>
            {notes}
          </>
        )}
        {action === 'plan' && (
          <>
            <Form.Item name="serviceType" label={t('casePage.serviceType')} rules={required(t('casePage.serviceType'))}>
              <Select options={SERVICE_TYPES.map((s) => ({ value: s, label: t(`terms.serviceType.${s}`) }))} />
            </Form.Item>
            <Form.Item name="provider" label={t('casePage.provider')} rules={required(t('casePage.provider'))}>
              <Input maxLength={200} />
            </Form.Item>
            <Space wrap>
              <Form.Item name="plannedStart" label={t('casePage.plannedStart')} rules={required(t('casePage.plannedStart'))}>
                <DatePicker format={DATE_INPUT_FORMAT} />
              </Form.Item>
              <Form.Item name="plannedEnd" label={t('casePage.plannedEnd')} rules={required(t('casePage.plannedEnd'))}>
                <DatePicker format={DATE_INPUT_FORMAT} />
              </Form.Item>
            </Space>
          </>
        )}
        {action === 'deliver' &&
          (interventions.length === 0 ? (
            <Alert type="info" showIcon message={t('casePage.noInterventions')} style={{ marginBottom: 12 }} />
          ) : (
            <>
              <Form.Item name="interventionId" label={t('casePage.intervention')} rules={required(t('casePage.intervention'))}>
                <Select
                  options={interventions.map((i) => ({
                    value: i.interventionId,
                    label: t('casePage.interventionOption', { service: serviceTypeLabel(t, i.serviceType), provider: i.provider, count: i.deliveries }),
                  }))}
                />
              </Form.Item>
              <Form.Item name="deliveredOn" label={t('casePage.deliveredOn')} rules={required(t('casePage.deliveredOn'))}>
                <DatePicker format={DATE_INPUT_FORMAT} />
              </Form.Item>
              {notes}
            </>
          ))}
        {action === 'review' && (
          <>
            <Form.Item name="riskLevel" label={t('casePage.riskLevel')}>
              <Select allowClear options={riskOptions} />
            </Form.Item>
            {notes}
          </>
        )}
        {action === 'close' && (
          <Form.Item name="outcome" label={t('casePage.outcomeLabel')} rules={required(t('casePage.outcomeLabel'))}>
            <Select options={CASE_OUTCOMES.map((o) => ({ value: o, label: t(`casePage.outcome.${o}`) }))} />
          </Form.Item>
        )}
        {action === 'reopen' && (
          <Form.Item name="reason" label={t('casePage.reason')} rules={required(t('casePage.reason'))}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        )}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={saving} disabled={action === 'deliver' && interventions.length === 0}>
            {t('casePage.save')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}

const FIELD_NAMES: Record<keyof FormValues, true> = {
  riskLevel: true,
  notes: true,
  serviceType: true,
  provider: true,
  plannedStart: true,
  plannedEnd: true,
  interventionId: true,
  deliveredOn: true,
  outcome: true,
  reason: true,
};

function Holder({ record, etag }: { record: CaseRecord; etag: string | undefined }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const assign = useAssignCase();
  const [assigneeId, setAssigneeId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const run = async (to?: string) => {
    setError(null);
    try {
      await assign.mutateAsync({ caseId: record.caseId, assigneeId: to, etag });
      void message.success(t('casePage.assigned'));
      setAssigneeId('');
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? t('casePage.conflict') : e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Card size="small" title={t('casePage.holder')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text>
          {record.assigneeId
            ? t('casePage.holderSince', { who: record.assigneeId, date: record.assignedAt ? formatDate(record.assignedAt) : '' })
            : t('casePage.nobody')}
        </Typography.Text>
        {error && <Alert type="error" showIcon message={error} />}
        <Space wrap>
          <Button type={record.assigneeId ? 'default' : 'primary'} loading={assign.isPending && !assign.variables?.assigneeId} onClick={() => void run()}>
            {t('casePage.takeIt')}
          </Button>
          <Input
            aria-label={t('casePage.assigneeId')}
            placeholder={t('casePage.assigneeId')}
            value={assigneeId}
            onChange={(e) => setAssigneeId(e.target.value)}
            style={{ width: 240 }}
            maxLength={200}
          />
          <Button disabled={assigneeId.trim() === ''} loading={assign.isPending && !!assign.variables?.assigneeId} onClick={() => void run(assigneeId.trim())}>
            {t('casePage.reassign')}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}

function CaseScreen({ caseId, purpose }: { caseId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const revision = useCaseRevision(caseId, purpose);
  const [seenStatus, setSeenStatus] = useState<string | undefined>(undefined);
  const record = useCaseRecord(caseId, purpose, revision.data?.status !== undefined && seenStatus !== undefined && revision.data.status !== seenStatus);
  if (record.data && record.data.status !== seenStatus) setSeenStatus(record.data.status);
  if (record.isPending) return <Spin />;
  if (record.error) {
    const notFound = record.error instanceof ApiError && record.error.status === 404;
    return <Alert type="error" showIcon message={notFound ? t('casePage.notFound') : record.error.message} />;
  }
  const registryStatus = revision.data?.status;
  // The registry's step is current at once; the query API's projection may lag a moment behind a command.
  const c = registryStatus && isCaseStatus(registryStatus) ? { ...record.data, status: registryStatus } : record.data;
  const status = isCaseStatus(c.status) ? c.status : 'report_received';
  const date = (v: string | null) => (v ? formatDate(v) : t('casePage.empty'));
  const due = (v: string | null, stepIndex: number) =>
    v ? (
      <Space size={4} wrap>
        <span>{formatDate(v)}</span>
        {c.overdue && CURRENT[status] === stepIndex && <StatusTag tone="bad">{t('casePage.overdue')}</StatusTag>}
      </Space>
    ) : undefined;
  const stepDue: (string | null)[] = [null, c.deadlines.assessmentDueAt, c.deadlines.planDueAt, null, c.deadlines.reviewDueAt, null];
  const refresh = async () => {
    await Promise.all([record.refetch(), revision.refetch()]);
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/cases">{t('casePage.back')}</Link>
      <Steps
        size="small"
        current={CURRENT[status]}
        status={c.overdue ? 'error' : 'process'}
        responsive
        items={STEP_KEYS.map((k, i) => ({ title: t(`casePage.step.${k}`), description: due(stepDue[i] ?? null, i) }))}
      />
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} title={t('casePage.details')}>
        <Descriptions.Item label={t('casePage.status')}>
          <Space size={4} wrap>
            <span>{caseStatusLabel(t, c.status)}</span>
            {c.overdue && <StatusTag tone="bad">{t('casePage.overdue')}</StatusTag>}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('casePage.nextDue')}>{date(c.deadlines.nextDueAt)}</Descriptions.Item>
        <Descriptions.Item label={t('casePage.protectionLevel')}>{protectionLevelLabel(t, c.protectionLevel) || t('casePage.empty')}</Descriptions.Item>
        <Descriptions.Item label={t('casePage.riskLevel')}>{riskLevelLabel(t, c.riskLevel) || t('casePage.empty')}</Descriptions.Item>
        <Descriptions.Item label={t('casePage.reportedAt')}>{c.reportedAt ? formatDateTime(c.reportedAt) : t('casePage.empty')}</Descriptions.Item>
        <Descriptions.Item label={t('casePage.assessedAt')}>
          <Space size={4} wrap>
            <span>{date(c.assessedAt)}</span>
            {c.assessedOnTime === true && <StatusTag tone="good">{t('casePage.onTime')}</StatusTag>}
            {c.assessedOnTime === false && <StatusTag tone="bad">{t('casePage.late')}</StatusTag>}
          </Space>
        </Descriptions.Item>
        {c.closedAt && <Descriptions.Item label={t('casePage.closedAt')}>{date(c.closedAt)}</Descriptions.Item>}
        {c.outcome && <Descriptions.Item label={t('casePage.outcomeLabel')}>{outcomeLabel(t, c.outcome)}</Descriptions.Item>}
        {c.reopenedCount > 0 && <Descriptions.Item label={t('casePage.reopenedCount')}>{c.reopenedCount}</Descriptions.Item>}
        <Descriptions.Item label={t('casePage.child')}>
          <Link to={`/children/${c.childId}`}>{t('casePage.childLink')}</Link>
        </Descriptions.Item>
      </Descriptions>
      <Holder record={c} etag={revision.data?.etag} />
      {revision.error && <Alert type="error" showIcon message={revision.error.message} />}
      <StepForm key={c.status} record={c} etag={revision.data?.etag} interventions={revision.data?.interventions ?? []} onDone={refresh} />
    </Space>
  );
}

export default function CasePage() {
  const { t } = useTranslation();
  const { caseId = '' } = useParams();
  return (
    <Page title={t('casePage.title')}>
      <PurposeGate record={`case:${caseId}`} allowed={['case_work']}>
        {(purpose) => <CaseScreen caseId={caseId} purpose={purpose} />}
      </PurposeGate>
    </Page>
  );
}
