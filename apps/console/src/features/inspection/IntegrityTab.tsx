import { Alert, App as AntApp, Button, Descriptions, Form, Input, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatNumber } from '../../format/format';
import type { Purpose } from '../../purpose/purpose';
import { useInspectionDownloads, useIntegrity } from './use-inspection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether verify-log passes up to the last signed checkpoint, and a proof for one event. */
export function IntegrityTab({ purpose }: { purpose: Purpose }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const integrity = useIntegrity();
  const downloads = useInspectionDownloads(purpose);
  const [busy, setBusy] = useState(false);
  const s = integrity.data;

  const proof = async ({ eventId }: { eventId: string }) => {
    setBusy(true);
    try {
      message.success(t('inspection.exported', { file: await downloads.proof(eventId.trim()) }));
    } catch (e) {
      message.error(t('inspection.proofFailed', { message: e instanceof Error ? e.message : '' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <section aria-labelledby="integrity-title">
        <Typography.Title level={2} id="integrity-title" style={{ fontSize: 18 }}>
          {t('inspection.tabs.integrity')}
        </Typography.Title>
        {integrity.isPending && <Spin />}
        {integrity.error && <Alert type="error" showIcon message={integrity.error.message} />}
        {s && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Alert
              showIcon
              type={s.status === 'passed' ? 'success' : s.status === 'failed' ? 'error' : 'warning'}
              message={
                s.status === 'passed'
                  ? t('inspection.integrity.passed')
                  : s.status === 'failed'
                    ? t('inspection.integrity.failed')
                    : t('inspection.integrity.noCheckpoint')
              }
              description={s.problems[0] ? `${t('inspection.integrity.problem')}: ${s.problems[0].message}` : undefined}
            />
            <Descriptions bordered size="small" column={1}>
              <Descriptions.Item label={t('inspection.integrity.checkedAt')}>{formatDateTime(s.checkedAt)}</Descriptions.Item>
              {s.lastCheckpoint && (
                <>
                  <Descriptions.Item label={t('inspection.integrity.lastCheckpoint')}>
                    {t('inspection.integrity.checkpointValue', { seq: formatNumber(s.lastCheckpoint.seq), position: s.lastCheckpoint.position })}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('inspection.integrity.sealedAt')}>{formatDateTime(s.lastCheckpoint.sealedAt)}</Descriptions.Item>
                  <Descriptions.Item label={t('inspection.integrity.keyId')}>
                    <Typography.Text code>{s.lastCheckpoint.keyId}</Typography.Text>
                  </Descriptions.Item>
                </>
              )}
              <Descriptions.Item label={t('inspection.integrity.keySource')}>
                {s.trustedKeys.some((k) => k.source === 'configured') ? t('inspection.integrity.keyConfigured') : t('inspection.integrity.keyDatabase')}
              </Descriptions.Item>
              <Descriptions.Item label={t('inspection.integrity.events')}>{formatNumber(s.events)}</Descriptions.Item>
              <Descriptions.Item label={t('inspection.integrity.sealed')}>{formatNumber(s.sealed)}</Descriptions.Item>
              <Descriptions.Item label={t('inspection.integrity.unsealed')}>{formatNumber(s.unsealed)}</Descriptions.Item>
            </Descriptions>
            <Button onClick={() => void integrity.refetch()} loading={integrity.isFetching}>
              {t('inspection.integrity.check')}
            </Button>
          </Space>
        )}
      </section>
      <section aria-labelledby="proof-title">
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t('inspection.integrity.proofTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('inspection.integrity.proofIntro')}</Typography.Paragraph>
        <Form<{ eventId: string }> name="proof" layout="inline" onFinish={(v) => void proof(v)}>
          <Form.Item
            name="eventId"
            label={t('inspection.integrity.eventId')}
            rules={[{ required: true, pattern: UUID, message: t('inspection.integrity.eventId') }]}
          >
            <Input autoComplete="off" style={{ width: 340 }} />
          </Form.Item>
          <Button htmlType="submit" loading={busy}>
            {t('inspection.integrity.download')}
          </Button>
        </Form>
      </section>
    </Space>
  );
}
