import { Alert, Button, Col, DatePicker, Descriptions, Form, Input, Row, Segmented, Space, Spin, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { DATE_INPUT_FORMAT, formatDate, formatNumber } from '../../format/format';
import type { Purpose } from '../../purpose/purpose';
import { isoDay, text } from './labels';
import { useChildAsOf } from './use-inspection';

type Time = 'effective' | 'recorded';
interface FormValues {
  childId?: string;
  date?: Dayjs | null;
}

/** A child's record as it stood on a date (effective or recorded time), for a child who lived in the jurisdiction that day. */
export function AsOfTab({ purpose }: { purpose: Purpose }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [time, setTime] = useState<Time>('effective');
  const [ask, setAsk] = useState<{ childId: string; date: string; time: Time }>();
  const asOf = useChildAsOf(ask, purpose);
  const notFound = asOf.error instanceof ApiError && asOf.error.status === 404;
  const record = asOf.data?.record;
  const p = (record?.personal ?? {}) as Record<string, string | undefined>;
  const groups = (list: number[] | null | undefined) =>
    (list ?? []).length === 0 ? t('inspection.asOf.none') : (list ?? []).map((g) => t(`terms.group.${String(g) as '1'}`)).join('; ');

  return (
    <section aria-labelledby="asof-title">
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('inspection.tabs.asOf')}
      </Typography.Title>
      <Form<FormValues>
        form={form}
        name="asof"
        layout="vertical"
        onFinish={(v) => {
          const childId = text(v.childId);
          const date = isoDay(v.date);
          if (childId && date) setAsk({ childId, date, time });
        }}
      >
        <Row gutter={16}>
          <Col xs={24} sm={12} lg={8}>
            <Form.Item name="childId" label={t('inspection.childId')} rules={[{ required: true, message: t('inspection.childId') }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item name="date" label={t('inspection.asOf.date')} rules={[{ required: true, message: t('inspection.asOf.date') }]}>
              <DatePicker format={DATE_INPUT_FORMAT} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} lg={10}>
            <Form.Item label={t('inspection.asOf.time')}>
              <Segmented<Time>
                aria-label={t('inspection.asOf.time')}
                value={time}
                onChange={setTime}
                options={[
                  { value: 'effective', label: t('inspection.asOf.effective') },
                  { value: 'recorded', label: t('inspection.asOf.recorded') },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" loading={asOf.isFetching}>
          {t('inspection.asOf.show')}
        </Button>
      </Form>
      {asOf.isFetching && !asOf.data && <Spin />}
      {asOf.error && (
        <Alert style={{ marginTop: 16 }} type={notFound ? 'info' : 'error'} showIcon message={notFound ? t('inspection.asOf.notFound') : asOf.error.message} />
      )}
      {record && asOf.data && !asOf.error && (
        <Space direction="vertical" style={{ marginTop: 16, width: '100%' }}>
          <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
            {t('inspection.asOf.heading', { date: formatDate(asOf.data.asOf) })}
          </Typography.Title>
          <Typography.Text type="secondary">{t('inspection.asOf.eventsApplied', { n: formatNumber(asOf.data.eventsApplied) })}</Typography.Text>
          <Descriptions bordered size="small" column={1}>
            <Descriptions.Item label={t('inspection.asOf.fullName')}>{p['fullName'] ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.dateOfBirth')}>{p['dateOfBirth'] ? formatDate(p['dateOfBirth']) : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.sex')}>
              {record.sex === 'M' || record.sex === 'F' ? t(`terms.sex.${record.sex}`) : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.residence')}>
              {record.residence.communeCode ?? record.residence.recordedCommuneCode ?? '—'}
              {record.residence.effectiveFrom ? ` · ${formatDate(record.residence.effectiveFrom)}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.circumstances')}>{groups(record.circumstances)}</Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.risks')}>{groups(record.risks)}</Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.nationalId')}>
              {t(`terms.nationalIdState.${record.nationalId.state as 'none'}`, { defaultValue: record.nationalId.state })}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspection.asOf.status')}>
              {t(`childPage.statusValue.${record.status as 'active'}`, { defaultValue: record.status })}
            </Descriptions.Item>
          </Descriptions>
        </Space>
      )}
    </section>
  );
}
