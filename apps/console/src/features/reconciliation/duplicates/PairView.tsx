import { Alert, Button, Form, Input, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../format/format';
import { localProblems, Pair, splitProblems } from './decisions';
import { PairComparison } from './PairComparison';
import type { PairDecision } from './use-duplicates';

interface Values {
  survivingChildId?: string;
  reason: string;
}

export type DecisionOutcome = 'merged' | 'notSame';

/**
 * One pair side by side and the two decisions on it: merge (the person chooses the record that is kept)
 * or "not the same child", each with a reason. Problems are shown beside their field; a 409 (a record
 * changed since it was read) asks to reload.
 */
export function PairView({
  pair,
  decide,
  pending,
  onDone,
  onReload,
}: {
  pair: Pair;
  decide: (d: PairDecision, reason: string) => Promise<unknown>;
  pending: boolean;
  onDone: (o: DecisionOutcome) => void;
  onReload: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [conflict, setConflict] = useState(false);

  const run = async (kind: 'merge' | 'notSame') => {
    setProblem(undefined);
    setConflict(false);
    const { survivingChildId, reason = '' } = form.getFieldsValue();
    const local = localProblems(kind, reason, survivingChildId);
    form.setFields([
      { name: 'survivingChildId', errors: local.filter((p) => p.field === 'survivingChildId').map((p) => t(`reconciliation.duplicates.${p.key}`)) },
      { name: 'reason', errors: local.filter((p) => p.field === 'reason').map((p) => t(`reconciliation.duplicates.${p.key}`)) },
    ]);
    if (local.length || (kind === 'merge' && !survivingChildId)) return;
    try {
      await decide(kind === 'merge' && survivingChildId ? { kind: 'merge', survivingChildId } : { kind: 'notSame' }, reason);
      onDone(kind === 'merge' ? 'merged' : 'notSame');
    } catch (err) {
      const { byField, rest, conflict: isConflict } = splitProblems(err);
      form.setFields([
        { name: 'survivingChildId', errors: byField.survivingChildId ?? [] },
        { name: 'reason', errors: byField.reason ?? [] },
      ]);
      setConflict(isConflict);
      setProblem(isConflict ? undefined : rest);
    }
  };

  const records = [
    { id: pair.record.childId, label: t('reconciliation.duplicates.recordA') },
    { id: pair.other.childId, label: t('reconciliation.duplicates.recordB') },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {t('reconciliation.duplicates.compare')} · {t('reconciliation.duplicates.score')}{' '}
        {formatNumber(pair.probability, { maximumFractionDigits: 2, minimumFractionDigits: 2 })}
      </Typography.Title>
      <PairComparison pair={pair} />
      <Form
        form={form}
        layout="vertical"
        initialValues={{ reason: '' }}
        onValuesChange={(changed: Partial<Values>) => form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof Values, errors: [] })))}
      >
        <Form.Item name="survivingChildId" label={t('reconciliation.duplicates.survivor')}>
          <Radio.Group>
            <Space wrap>
              {records.map((r) => (
                <Radio key={r.id} value={r.id}>
                  {t('reconciliation.duplicates.keep', { record: r.label })}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="reason" label={t('reconciliation.duplicates.reason')} extra={t('reconciliation.duplicates.reasonHint')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        {conflict && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            message={t('reconciliation.duplicates.conflict')}
            action={
              <Button size="small" onClick={onReload}>
                {t('reconciliation.duplicates.reload')}
              </Button>
            }
          />
        )}
        {problem && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={problem} />}
        <Space wrap>
          <Button type="primary" loading={pending} onClick={() => void run('merge')}>
            {t('reconciliation.duplicates.merge')}
          </Button>
          <Button loading={pending} onClick={() => void run('notSame')}>
            {t('reconciliation.duplicates.notSame')}
          </Button>
        </Space>
      </Form>
    </Space>
  );
}
