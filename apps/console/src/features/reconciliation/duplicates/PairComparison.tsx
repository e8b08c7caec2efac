import { Table, Typography } from 'antd';
import { StatusTag } from '../../../app/StatusTag';
import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../../../format/format';
import type { DuplicateRecord, Pair } from './decisions';

type Shown = 'fullName' | 'dateOfBirth' | 'sex' | 'personalId' | 'motherName' | 'fatherName' | 'communeCode' | 'nationalIdState' | 'circumstances';
const SHOWN: readonly Shown[] = ['fullName', 'dateOfBirth', 'sex', 'personalId', 'motherName', 'fatherName', 'communeCode', 'nationalIdState', 'circumstances'];

/** The matcher's field names (as stored with the pair) and the row each one explains. */
const MATCHER_FIELD: Record<string, Shown> = {
  name: 'fullName',
  fullName: 'fullName',
  full_name: 'fullName',
  dateOfBirth: 'dateOfBirth',
  date_of_birth: 'dateOfBirth',
  dob: 'dateOfBirth',
  birthDate: 'dateOfBirth',
  sex: 'sex',
  gender: 'sex',
  personalId: 'personalId',
  personal_id: 'personalId',
  nationalId: 'personalId',
  mother: 'motherName',
  motherName: 'motherName',
  mother_name: 'motherName',
  father: 'fatherName',
  fatherName: 'fatherName',
  father_name: 'fatherName',
  place: 'communeCode',
  commune: 'communeCode',
  communeCode: 'communeCode',
};

export function rowOfMatcherField(field: string): Shown | undefined {
  return MATCHER_FIELD[field];
}

/** The two records side by side, field by field, with the matcher's agreement and weight per field. */
export function PairComparison({ pair }: { pair: Pair }) {
  const { t } = useTranslation();
  const valueOf = (r: DuplicateRecord, f: Shown): string => {
    switch (f) {
      case 'dateOfBirth':
        return r.dateOfBirth ? (r.dateOfBirth.length === 10 ? formatDate(r.dateOfBirth) : r.dateOfBirth) : '';
      case 'sex':
        return r.sex === 'M' || r.sex === 'F' ? t(`terms.sex.${r.sex}`) : (r.sex ?? '');
      case 'nationalIdState': {
        const key = `terms.nationalIdState.${r.nationalIdState}`;
        return t(key as 'terms.nationalIdState.none', { defaultValue: r.nationalIdState });
      }
      case 'circumstances':
        return r.circumstances.map((n) => t(`terms.group.${n}` as 'terms.group.1', { defaultValue: String(n) })).join('; ');
      default:
        return r[f] ?? '';
    }
  };
  const rows = SHOWN.map((field) => ({ key: field, field, compared: pair.fields.filter((c) => rowOfMatcherField(c.field) === field) }));
  return (
    <div style={{ overflowX: 'auto' }}>
      <Table
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            key: 'field',
            title: t('reconciliation.duplicates.field'),
            render: (_, r) => <Typography.Text strong>{t(`reconciliation.duplicates.fields.${r.field}`)}</Typography.Text>,
          },
          { key: 'a', title: t('reconciliation.duplicates.recordA'), render: (_, r) => valueOf(pair.record, r.field) },
          { key: 'b', title: t('reconciliation.duplicates.recordB'), render: (_, r) => valueOf(pair.other, r.field) },
          {
            key: 'cmp',
            title: t('reconciliation.duplicates.comparison'),
            render: (_, r) =>
              r.compared.map((c) => (
                <span key={c.field} style={{ whiteSpace: 'nowrap' }}>
                  <StatusTag tone={c.agrees === true ? 'good' : c.agrees === false ? 'bad' : 'neutral'}>
                    {t(`reconciliation.duplicates.agrees.${c.agrees === true ? 'yes' : c.agrees === false ? 'no' : 'unknown'}`)}
                  </StatusTag>
                  <Typography.Text type="secondary">
                    {t('reconciliation.duplicates.weight')} {formatNumber(c.weight, { maximumFractionDigits: 1 })}
                  </Typography.Text>
                </span>
              )),
          },
        ]}
      />
    </div>
  );
}
