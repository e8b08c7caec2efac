import { Button, Col, DatePicker, Form, FormInstance, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { DATE_INPUT_FORMAT } from '../../format/format';
import { periodPresets } from './labels';

/** "From" and "to" days (each its own labelled input) and one-click periods; the form's fields `from` and `to`. */
export function PeriodFields<T extends object>({ form }: { form: FormInstance<T> }) {
  const { t } = useTranslation();
  return (
    <>
      <Col xs={24} sm={12} lg={6}>
        <Form.Item name="from" label={t('inspection.periodStart')}>
          <DatePicker format={DATE_INPUT_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12} lg={6}>
        <Form.Item name="to" label={t('inspection.periodEnd')}>
          <DatePicker format={DATE_INPUT_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} lg={12}>
        <Form.Item label={t('inspection.period')}>
          <Space wrap>
            {periodPresets(t).map((p) => (
              <Button key={p.label} size="small" onClick={() => form.setFieldsValue({ from: p.from, to: p.to } as never)}>
                {p.label}
              </Button>
            ))}
          </Space>
        </Form.Item>
      </Col>
    </>
  );
}
