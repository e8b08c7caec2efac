import { Alert, Button, Empty, Form, Input, List, Modal, Space, Spin, Typography } from 'antd';
import { StatusTag } from '../../../app/StatusTag';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation, useNavigate, useParams } from 'react-router-dom';
import { Page } from '../../../app/Page';
import { formatDate, formatNumber } from '../../../format/format';
import { PurposeGate } from '../../../purpose/purpose';
import type { Purpose } from '../../../purpose/purpose';
import { localProblems, MergeSummary, splitProblems } from './decisions';
import { DecisionOutcome, PairView } from './PairView';
import { useDecidePair, useDuplicatePair, useDuplicatePairs, useMerges, useRevertMerge } from './use-duplicates';

const BASE = '/reconciliation/duplicates';
type Done = DecisionOutcome | 'reverted';

const score = (p: number) => formatNumber(p, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
/** A record's id, shortened for the eye (the full id is in the link). Not personal data. */
const short = (id: string) => id.slice(0, 8);

/** /reconciliation/duplicates: the likely duplicates and the merges in force; /:childId/:otherChildId: one pair. */
export default function DuplicatesPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('reconciliation.duplicates.title')} intro={t('reconciliation.duplicates.intro')}>
      <Routes>
        <Route index element={<Lists />} />
        <Route path=":childId/:otherChildId" element={<PairScreen />} />
      </Routes>
    </Page>
  );
}

function DoneMessage({ done }: { done: Done | undefined }) {
  const { t } = useTranslation();
  if (!done) return null;
  const key = done === 'merged' ? 'merged' : done === 'notSame' ? 'notSameDone' : 'reverted';
  return <Alert type="success" showIcon role="status" message={t(`reconciliation.duplicates.${key}`)} />;
}

function Lists() {
  const { t } = useTranslation();
  const location = useLocation();
  const [done, setDone] = useState<Done | undefined>((location.state as { done?: Done } | null)?.done);
  const pairs = useDuplicatePairs();
  const items = pairs.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Link to="/reconciliation/reviews">{t('reconciliation.duplicates.reviewsLink')}</Link>
      <DoneMessage done={done} />
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {t('reconciliation.duplicates.pairs')}
      </Typography.Title>
      {pairs.error && <Alert type="error" showIcon message={pairs.error.message} />}
      <List
        bordered
        size="small"
        loading={pairs.isLoading}
        locale={{ emptyText: <Empty description={t('reconciliation.duplicates.empty')} /> }}
        dataSource={items}
        renderItem={(p, i) => (
          <List.Item
            actions={[
              <Link key="open" to={`${BASE}/${encodeURIComponent(p.childId)}/${encodeURIComponent(p.otherChildId)}`}>
                {t('reconciliation.duplicates.open')}
              </Link>,
            ]}
          >
            <Space wrap size={[8, 4]}>
              <Typography.Text strong>{t('reconciliation.duplicates.pair', { n: String(i + 1) })}</Typography.Text>
              <span>
                {t('reconciliation.duplicates.score')} <Typography.Text strong>{score(p.probability)}</Typography.Text>
              </span>
              <StatusTag tone={p.decision === 'linked' ? 'bad' : 'warning'}>{t(`reconciliation.duplicates.decision.${p.decision}`)}</StatusTag>
              <span>
                {t('reconciliation.duplicates.commune')} {[p.communeCode, p.otherCommuneCode].filter(Boolean).join(' · ')}
              </span>
              <span>
                {t('reconciliation.duplicates.foundAt')} {formatDate(p.foundAt)}
              </span>
            </Space>
          </List.Item>
        )}
      />
      {pairs.hasNextPage && (
        <Button loading={pairs.isFetchingNextPage} onClick={() => void pairs.fetchNextPage()}>
          {t('reconciliation.duplicates.more')}
        </Button>
      )}
      <Merges onReverted={() => setDone('reverted')} />
    </Space>
  );
}

function Merges({ onReverted }: { onReverted: () => void }) {
  const { t } = useTranslation();
  const merges = useMerges();
  const items = merges.data?.pages.flatMap((p) => p.items) ?? [];
  const [reverting, setReverting] = useState<MergeSummary | undefined>(undefined);
  return (
    <section aria-labelledby="merges-title">
      <Typography.Title id="merges-title" level={2} style={{ fontSize: 18 }}>
        {t('reconciliation.duplicates.merges')}
      </Typography.Title>
      {merges.error && <Alert type="error" showIcon message={merges.error.message} />}
      <List
        bordered
        size="small"
        loading={merges.isLoading}
        locale={{ emptyText: <Empty description={t('reconciliation.duplicates.mergesEmpty')} /> }}
        dataSource={items}
        renderItem={(m) => (
          <List.Item
            actions={[
              <Button key="revert" onClick={() => setReverting(m)}>
                {t('reconciliation.duplicates.revert')}
              </Button>,
            ]}
          >
            <Space wrap size={[8, 4]}>
              <span>
                {t('reconciliation.duplicates.duplicate')} <Typography.Text code>{short(m.childId)}</Typography.Text>
              </span>
              <span>
                {t('reconciliation.duplicates.surviving')} <Typography.Text code>{short(m.survivingChildId)}</Typography.Text>
              </span>
              {m.communeCode && (
                <span>
                  {t('reconciliation.duplicates.commune')} {m.communeCode}
                </span>
              )}
              <span>
                {t('reconciliation.duplicates.mergedAt')} {formatDate(m.mergedAt)}
              </span>
            </Space>
          </List.Item>
        )}
      />
      {merges.hasNextPage && (
        <Button style={{ marginTop: 12 }} loading={merges.isFetchingNextPage} onClick={() => void merges.fetchNextPage()}>
          {t('reconciliation.duplicates.more')}
        </Button>
      )}
      {reverting && (
        <RevertDialog
          merge={reverting}
          onClose={(ok) => {
            setReverting(undefined);
            if (ok) onReverted();
          }}
        />
      )}
    </section>
  );
}

function RevertDialog({ merge, onClose }: { merge: MergeSummary; onClose: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const revert = useRevertMerge();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = async () => {
    setProblem(undefined);
    const reason = (form.getFieldValue('reason') as string | undefined) ?? '';
    const local = localProblems('revert', reason, undefined);
    form.setFields([{ name: 'reason', errors: local.map((p) => t(`reconciliation.duplicates.${p.key}`)) }]);
    if (local.length) return;
    try {
      await revert.mutateAsync({ childId: merge.childId, reason });
      onClose(true);
    } catch (err) {
      const { byField, rest } = splitProblems(err, ['reason']);
      form.setFields([{ name: 'reason', errors: byField.reason ?? [] }]);
      setProblem(rest);
    }
  };
  return (
    <Modal
      open
      title={t('reconciliation.duplicates.revertTitle')}
      okText={t('reconciliation.duplicates.revertOk')}
      cancelText={t('reconciliation.duplicates.cancel')}
      confirmLoading={revert.isPending}
      onOk={() => void submit()}
      onCancel={() => onClose(false)}
    >
      <Form form={form} layout="vertical" initialValues={{ reason: '' }} onValuesChange={() => form.setFields([{ name: 'reason', errors: [] }])}>
        <Form.Item name="reason" label={t('reconciliation.duplicates.reason')} extra={t('reconciliation.duplicates.reasonHint')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
      {problem && <Alert type="error" showIcon message={problem} />}
    </Modal>
  );
}

function PairScreen() {
  const { t } = useTranslation();
  const { childId = '', otherChildId = '' } = useParams();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Link to={BASE}>{t('reconciliation.duplicates.back')}</Link>
      <PurposeGate record={`pair:${childId}:${otherChildId}`} allowed={['reconciliation']}>
        {(purpose) => <PairLoader childId={childId} otherChildId={otherChildId} purpose={purpose} />}
      </PurposeGate>
    </Space>
  );
}

function PairLoader({ childId, otherChildId, purpose }: { childId: string; otherChildId: string; purpose: Purpose }) {
  const navigate = useNavigate();
  const pair = useDuplicatePair(childId, otherChildId, purpose);
  const decide = useDecidePair();
  if (pair.isLoading) return <Spin />;
  if (pair.error || !pair.data) return <Alert type="error" showIcon message={pair.error?.message} />;
  const data = pair.data;
  return (
    <PairView
      key={`${data.record.revision}:${data.other.revision}`}
      pair={data}
      pending={decide.isPending}
      decide={(decision, reason) => decide.mutateAsync({ pair: data, decision, reason })}
      onDone={(done) => void navigate(BASE, { state: { done } })}
      onReload={() => void pair.refetch()}
    />
  );
}
