import { Alert, Button, Empty, Input, List, Select, Space, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../../api';
import { Page } from '../../app/Page';
import { formatDate, formatNumber } from '../../format/format';
import { PurposeGate } from '../../purpose/purpose';
import type { Purpose } from '../../purpose/purpose';
import { ReviewComparison } from './ReviewComparison';
import { Decision, useDecide, useIdentityReview, useReviewQueue } from './use-identity-reviews';
import { actionOfKey, nextReview } from './workbench';

const p2 = (x: number) => formatNumber(x, { maximumFractionDigits: 2, minimumFractionDigits: 2 });

export default function ReviewsPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('reconciliation.reviews.title')} intro={t('reconciliation.intro')}>
      <Typography.Paragraph>
        <Space size="large" wrap>
          <Link to="/reconciliation/duplicates">{t('reconciliation.duplicates.link')}</Link>
          <Link to="/reconciliation/incomplete">{t('reconciliation.incomplete.link')}</Link>
        </Space>
      </Typography.Paragraph>
      <PurposeGate record="reconciliation:identity-reviews" allowed={['reconciliation']}>
        {(purpose) => <Workbench purpose={purpose} />}
      </PurposeGate>
    </Page>
  );
}

function Workbench({ purpose }: { purpose: Purpose }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { childId } = useParams();
  const [commune, setCommune] = useState<string | undefined>(undefined);
  const queue = useReviewQueue(commune);
  const items = useMemo(() => queue.data?.pages.flatMap((p) => p.items) ?? [], [queue.data]);
  const ids = useMemo(() => items.map((i) => i.childId), [items]);
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const current = childId ?? nextReview(ids, undefined, decided);
  const review = useIdentityReview(current, purpose);
  const decide = useDecide();
  const [picked, setPicked] = useState<number | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const reasonRef = useRef<HTMLInputElement>(null);

  const open = useCallback(
    (id: string | undefined) => {
      setPicked(undefined);
      setProblem(undefined);
      navigate(id ? `/reconciliation/reviews/${id}` : '/reconciliation/reviews');
    },
    [navigate],
  );

  const run = useCallback(
    async (decision: Decision) => {
      if (!review.data) return;
      try {
        await decide.mutateAsync({ review: review.data, decision, reason });
        const done = new Set(decided).add(review.data.childId);
        setDecided(done);
        open(nextReview(ids, review.data.childId, done));
      } catch (err) {
        setProblem(err instanceof ApiError ? err.problems.map((p) => p.message).join('; ') || err.message : String(err));
      }
    },
    [review.data, decide, reason, decided, ids, open],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      const inField = !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const action = actionOfKey(e.key, inField);
      if (!action) return;
      e.preventDefault();
      const data = review.data;
      switch (action.kind) {
        case 'pick':
          if (data && action.index < data.candidates.length) setPicked(action.index);
          break;
        case 'accept': {
          const c = picked === undefined ? undefined : data?.candidates[picked];
          if (!c) setProblem(t('reconciliation.reviews.pickFirst'));
          else void run({ kind: 'accept', personalId: c.personalId });
          break;
        }
        case 'reject':
          void run({ kind: 'reject' });
          break;
        case 'noRecord':
          void run({ kind: 'noRecord' });
          break;
        case 'next':
        case 'previous':
          open(nextReview(ids, current, decided, action.kind === 'next' ? 1 : -1));
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [review.data, picked, run, open, ids, current, decided, t]);

  const communes = useMemo(() => [...new Map(items.map((i) => [i.communeCode, i.communeName ?? i.communeCode])).entries()], [items]);
  const position = current ? ids.indexOf(current) + 1 : 0;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Text type="secondary">{t('reconciliation.reviews.shortcuts')}</Typography.Text>
      <Select
        aria-label={t('reconciliation.reviews.commune')}
        style={{ minWidth: 260 }}
        value={commune ?? ''}
        onChange={(v: string) => setCommune(v || undefined)}
        options={[{ value: '', label: t('reconciliation.reviews.allCommunes') }, ...communes.map(([value, label]) => ({ value, label }))]}
      />
      <List
        bordered
        size="small"
        loading={queue.isLoading}
        locale={{ emptyText: <Empty description={t('reconciliation.reviews.empty')} /> }}
        dataSource={items.filter((i) => !decided.has(i.childId))}
        renderItem={(i) => (
          <List.Item
            actions={[
              <Button key="open" type={i.childId === current ? 'primary' : 'default'} onClick={() => open(i.childId)}>
                {t('reconciliation.reviews.open')}
              </Button>,
            ]}
          >
            {i.communeName ?? i.communeCode} · {t('reconciliation.reviews.requestedAt')} {formatDate(i.requestedAt)} · {t('reconciliation.reviews.candidates')}{' '}
            {i.candidateCount}
            {i.bestProbability !== null && ` · ${t('reconciliation.reviews.probability')} ${p2(i.bestProbability)}`}
          </List.Item>
        )}
      />
      {queue.hasNextPage && <Button onClick={() => void queue.fetchNextPage()}>{t('reconciliation.reviews.more')}</Button>}
      {review.data && (
        <section aria-label={t('reconciliation.reviews.position', { n: String(position), total: String(ids.length) })}>
          <Typography.Title level={2} style={{ fontSize: 18 }}>
            {t('reconciliation.reviews.position', { n: String(position), total: String(ids.length) })}
          </Typography.Title>
          {review.data.probability !== null && (
            <Typography.Paragraph strong>{t('reconciliation.reviews.overall', { p: p2(review.data.probability) })}</Typography.Paragraph>
          )}
          <ReviewComparison review={review.data} picked={picked} onPick={setPicked} />
          <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
            <label htmlFor="review-reason">{t('reconciliation.reviews.reason')}</label>
            <Input
              id="review-reason"
              ref={(el) => void (reasonRef.current = el?.input ?? null)}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder={t('reconciliation.reviews.reasonHint')}
            />
            {problem && <Alert type="error" message={problem} />}
            <Space wrap>
              <Button
                type="primary"
                disabled={picked === undefined}
                loading={decide.isPending}
                onClick={() => {
                  const c = picked === undefined ? undefined : review.data?.candidates[picked];
                  if (c) void run({ kind: 'accept', personalId: c.personalId });
                }}
              >
                {t('reconciliation.reviews.accept')}
              </Button>
              <Button loading={decide.isPending} onClick={() => void run({ kind: 'reject' })}>
                {t('reconciliation.reviews.reject')}
              </Button>
              <Button loading={decide.isPending} onClick={() => void run({ kind: 'noRecord' })}>
                {t('reconciliation.reviews.noRecord')}
              </Button>
            </Space>
          </Space>
        </section>
      )}
    </Space>
  );
}
