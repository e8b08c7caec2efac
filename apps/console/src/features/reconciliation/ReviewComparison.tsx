import { Radio, Table, Typography } from 'antd';
import { StatusTag } from '../../app/StatusTag';
import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../../format/format';
import type { IdentityReview } from './use-identity-reviews';

type Person = IdentityReview['record'];
type FieldName = IdentityReview['candidates'][number]['fields'][number]['field'];
const FIELDS: readonly FieldName[] = ['name', 'dateOfBirth', 'sex', 'personalId', 'place', 'father', 'mother'];
const AGREEMENT_TONE = { agree: 'good', partial: 'warning', disagree: 'bad', missing: 'neutral' } as const;

/** The record and each candidate side by side, field by field, with agreement and weight. */
export function ReviewComparison({ review, picked, onPick }: { review: IdentityReview; picked: number | undefined; onPick: (i: number) => void }) {
  const { t } = useTranslation();
  const valueOf = (p: Person | null | undefined, f: FieldName): string => {
    if (!p) return '';
    switch (f) {
      case 'name':
        return p.fullName ?? '';
      case 'dateOfBirth':
        return p.dateOfBirth ? (p.dateOfBirth.length === 10 ? formatDate(p.dateOfBirth) : p.dateOfBirth) : '';
      case 'sex':
        return p.sex ? t(`terms.sex.${p.sex}`) : '';
      case 'personalId':
        return p.personalId ?? '';
      case 'place':
        return p.communeName ?? p.communeCode ?? '';
      case 'father':
        return p.fatherName ?? '';
      case 'mother':
        return p.motherName ?? '';
    }
  };
  const rows = FIELDS.map((field) => ({ key: field, field }));
  return (
    <div style={{ overflowX: 'auto' }}>
      <Radio.Group value={picked} onChange={(e) => onPick(Number(e.target.value))} style={{ display: 'block', overflowX: 'auto' }}>
        {/* No `scroll` on the table: its hidden measuring row would repeat the candidates' radios (axe: aria-hidden-focus); the group scrolls instead. */}
        <Table
          size="small"
          pagination={false}
          dataSource={rows}
          columns={[
            { key: 'field', title: t('reconciliation.reviews.field'), render: (_, r) => t(`reconciliation.reviews.fields.${r.field}`) },
            { key: 'record', title: t('reconciliation.reviews.record'), render: (_, r) => valueOf(review.record, r.field) },
            ...review.candidates.map((c, i) => ({
              key: c.personalId,
              title: (
                <Radio value={i}>
                  {t('reconciliation.reviews.candidate', { n: String(i + 1) })} ·{' '}
                  {formatNumber(c.probability, { maximumFractionDigits: 2, minimumFractionDigits: 2 })}
                </Radio>
              ),
              render: (_: unknown, r: { field: FieldName }) => {
                const f = c.fields.find((x) => x.field === r.field);
                return (
                  <span>
                    <Typography.Text>{c.person ? valueOf(c.person, r.field) : t('reconciliation.reviews.noDetails')}</Typography.Text>{' '}
                    {f && <StatusTag tone={AGREEMENT_TONE[f.agreement]}>{t(`reconciliation.reviews.agreement.${f.agreement}`)}</StatusTag>}
                    {f && (
                      <Typography.Text type="secondary">
                        {t('reconciliation.reviews.weight')} {formatNumber(f.weight, { maximumFractionDigits: 1 })}
                      </Typography.Text>
                    )}
                  </span>
                );
              },
            })),
          ]}
        />
      </Radio.Group>
    </div>
  );
}
