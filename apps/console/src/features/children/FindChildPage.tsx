import { Alert, Button, DatePicker, Form, Input, Select, Space, Table, Tag } from 'antd';
import { StatusTag } from '../../app/StatusTag';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api';
import { DATE_INPUT_FORMAT, formatDate } from '../../format/format';
import { Page } from '../../app/Page';
import { Purpose, PurposeGate } from '../../purpose/purpose';
import { ChildSearchFilters, ChildSearchResult, useChildSearch } from './use-children';

const GROUPS = Array.from({ length: 14 }, (_, i) => String(i + 1));
const ID_STATES = ['none', 'linked', 'review_requested', 'no_record_found'] as const;

interface FormValues {
  name?: string;
  dateOfBirth?: Dayjs | null;
  birthYear?: string;
  communeCode?: string;
  personalId?: string;
  nationalIdState?: ChildSearchFilters['nationalIdState'];
  group?: string;
}

function filtersOf(v: FormValues): ChildSearchFilters {
  const text = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : undefined);
  return {
    name: text(v.name),
    dateOfBirth: v.dateOfBirth ? v.dateOfBirth.format('YYYY-MM-DD') : undefined,
    birthYear: text(v.birthYear),
    communeCode: text(v.communeCode),
    personalId: text(v.personalId),
    nationalIdState: v.nationalIdState,
    group: v.group,
  };
}

function SearchScreen({ purpose }: { purpose: Purpose }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [filters, setFilters] = useState<ChildSearchFilters>();
  // Cursors of the pages seen: the last one is the page shown (undefined: the first).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const search = useChildSearch(filters, after, purpose);
  const error = search.error instanceof ApiError ? search.error : undefined;
  if (error?.problems?.length) {
    const fields = error.problems.filter((p) => p.field).map((p) => ({ name: p.field as keyof FormValues, errors: [p.message] }));
    if (fields.length) queueMicrotask(() => form.setFields(fields));
  }
  const columns = [
    {
      title: t('findChild.name'),
      dataIndex: 'fullName',
      key: 'name',
      render: (name: string, c: ChildSearchResult) => <Link to={`/children/${c.childId}`}>{name}</Link>,
    },
    { title: t('findChild.dateOfBirth'), dataIndex: 'dateOfBirth', key: 'dob', render: (d: string | null) => (d ? formatDate(d) : '') },
    {
      title: t('childPage.sex'),
      dataIndex: 'sex',
      key: 'sex',
      responsive: ['md' as const],
      render: (s: string | null) => (s === 'M' || s === 'F' ? t(`terms.sex.${s}`) : ''),
    },
    { title: t('findChild.personalId'), dataIndex: 'personalId', key: 'pid', responsive: ['md' as const] },
    { title: t('findChild.communeCode'), dataIndex: 'communeCode', key: 'commune', responsive: ['lg' as const] },
    {
      title: t('findChild.nationalIdState'),
      dataIndex: 'nationalIdState',
      key: 'state',
      responsive: ['lg' as const],
      render: (s: (typeof ID_STATES)[number]) => t(`terms.nationalIdState.${s}`),
    },
    {
      title: t('findChild.group'),
      dataIndex: 'circumstances',
      key: 'groups',
      responsive: ['lg' as const],
      render: (g: number[], c: ChildSearchResult) => (
        <Space wrap>
          {g.map((n) => (
            <Tag key={n}>{String(n)}</Tag>
          ))}
          {c.atRisk && <StatusTag tone="warning">{t('findChild.atRisk')}</StatusTag>}
        </Space>
      ),
    },
  ];
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Form<FormValues>
        form={form}
        layout="vertical"
        role="search"
        onFinish={(v) => {
          setFilters(filtersOf(v));
          setCursors([undefined]);
        }}
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', columnGap: 16 }}
      >
        <Form.Item name="name" label={t('findChild.name')} extra={t('findChild.nameHelp')}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="dateOfBirth" label={t('findChild.dateOfBirth')}>
          <DatePicker format={DATE_INPUT_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="birthYear" label={t('findChild.birthYear')}>
          <Input inputMode="numeric" maxLength={4} />
        </Form.Item>
        <Form.Item name="communeCode" label={t('findChild.communeCode')}>
          <Input inputMode="numeric" maxLength={5} />
        </Form.Item>
        <Form.Item name="personalId" label={t('findChild.personalId')}>
          <Input inputMode="numeric" maxLength={12} />
        </Form.Item>
        <Form.Item name="nationalIdState" label={t('findChild.nationalIdState')}>
          <Select allowClear placeholder={t('findChild.any')} options={ID_STATES.map((s) => ({ value: s, label: t(`terms.nationalIdState.${s}`) }))} />
        </Form.Item>
        <Form.Item name="group" label={t('findChild.group')}>
          <Select
            allowClear
            placeholder={t('findChild.any')}
            options={GROUPS.map((g) => ({ value: g, label: `${g}. ${t(`terms.group.${g}` as 'terms.group.1')}` }))}
          />
        </Form.Item>
        <Form.Item label=" ">
          <Space>
            <Button type="primary" htmlType="submit">
              {t('findChild.search')}
            </Button>
            <Button htmlType="button" onClick={() => form.resetFields()}>
              {t('findChild.clear')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      {search.error && !error?.problems?.length && <Alert type="error" message={t('findChild.failed', { message: search.error.message })} />}
      {filters && (
        <section aria-label={t('findChild.results')}>
          <Table<ChildSearchResult>
            rowKey="childId"
            size="middle"
            loading={search.isFetching}
            dataSource={search.data?.children ?? []}
            columns={columns}
            pagination={false}
            locale={{ emptyText: t('findChild.none') }}
            scroll={{ x: true }}
          />
          <Space style={{ marginTop: 12 }}>
            <Button disabled={cursors.length <= 1} onClick={() => setCursors([undefined])}>
              {t('findChild.first')}
            </Button>
            <Button disabled={!search.data?.next} onClick={() => search.data?.next && setCursors([...cursors, search.data.next])}>
              {t('findChild.more')}
            </Button>
          </Space>
        </section>
      )}
    </Space>
  );
}

export default function FindChildPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('findChild.title')} intro={t('findChild.intro')}>
      <PurposeGate record="child-search" allowed={['case_work', 'reconciliation', 'data_correction']}>
        {(purpose) => <SearchScreen purpose={purpose} />}
      </PurposeGate>
    </Page>
  );
}
