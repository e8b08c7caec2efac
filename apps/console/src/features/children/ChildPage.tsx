import { Alert, Descriptions, List, Space, Spin, Table, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../../api';
import type { QuerySchemas } from '../../api';
import { Page } from '../../app/Page';
import { unitWithCode, useUnitNames } from '../../app/use-unit-names';
import { formatDate, formatDateTime } from '../../format/format';
import { Purpose, PurposeGate } from '../../purpose/purpose';
import { ChildActions } from '../child-actions/ChildActions';
import { useChildCases, useChildRecord, useChildTimeline } from './use-children';

type TimelineEntry = QuerySchemas['schemas']['TimelineEntryDto'];
const KNOWN_FIELDS = ['fullName', 'dateOfBirth', 'sex', 'personalId', 'motherName', 'fatherName', 'notes'] as const;
const KNOWN_EVENTS = [
  'ChildRegistered',
  'ChildDetailsCorrected',
  'ResidenceChanged',
  'SpecialCircumstanceIdentified',
  'SpecialCircumstanceEnded',
  'RiskIdentified',
  'RiskResolved',
  'NationalIdLinked',
  'NationalIdUnlinked',
  'IdentityReviewRequested',
  'NoNationalRecordFound',
  'ChildRecordsMerged',
  'ChildRecordsMergeReverted',
  'ChildPersonalDataErased',
] as const;
type KnownEvent = (typeof KNOWN_EVENTS)[number];
const isKnown = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** How long the page waits for the read side to show what it wrote. */
const CATCH_UP_WAIT_MS = 15_000;

/** The day a group currently held was identified: the last identification in the timeline. */
function sinceOf(events: readonly TimelineEntry[], type: string, group: number): string | null {
  const e = [...events].reverse().find((x) => x.type === type && x.group === group);
  return e?.effectiveDate ?? null;
}

function ChildScreen({ childId, purpose }: { childId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  // What this screen wrote last, and until when to wait for the read side to show it: the record is
  // read again until its revision reaches the write's, or it is out of reach — after a move, because
  // the move took the child out of the officer's area, which the page then says rather than "not found".
  const [awaiting, setAwaiting] = useState<{ revision: number; communeCode?: string; waitUntil: number } | undefined>(undefined);
  const movedTo = awaiting?.communeCode;
  const record = useChildRecord(childId, purpose, awaiting ? (r) => r.revision >= awaiting.revision || Date.now() > awaiting.waitUntil : undefined);
  const timeline = useChildTimeline(childId, purpose);
  const cases = useChildCases(childId);
  // Units by name (the residence, the actors' units, a move's communes); codes until the names arrive.
  const unitNames = useUnitNames([
    ...(record.data?.residence.communeCode ? [record.data.residence.communeCode] : []),
    ...(movedTo ? [movedTo] : []),
    ...(timeline.data?.events ?? []).flatMap((e) => [
      ...(e.actorUnit ? [e.actorUnit] : []),
      ...(e.type === 'ResidenceChanged' && e.communeCode ? [e.communeCode] : []),
      ...e.changes.filter((ch) => ch.field === 'communeCode').flatMap((ch) => [ch.from ?? '', ch.to ?? '']),
    ]),
  ]);
  if (record.isPending) return <Spin />;
  if (record.error) {
    const notFound = record.error instanceof ApiError && record.error.status === 404;
    if (notFound && movedTo) {
      return (
        <Alert
          type="info"
          showIcon
          message={t('childPage.movedOut', { unit: unitWithCode(unitNames, movedTo) })}
          description={
            <Space direction="vertical" size={4}>
              <span>{t('childPage.movedOutDetail')}</span>
              <Link to="/children">{t('childPage.back')}</Link>
            </Space>
          }
        />
      );
    }
    return <Alert type="error" message={notFound ? t('childPage.notFound') : record.error.message} />;
  }
  const c = record.data;
  const events = timeline.data?.events ?? [];
  const p = c.personal ?? {};
  const fieldText = (field: string, v: string | null) => {
    if (v === null || v === '') return t('childPage.empty');
    if (field === 'dateOfBirth') return formatDate(v);
    if (field === 'sex' && (v === 'M' || v === 'F')) return t(`terms.sex.${v}`);
    if (field === 'communeCode') return unitWithCode(unitNames, v);
    return v;
  };
  const groupList = (groups: number[] | null, type: string, label: (g: number) => string) =>
    (groups ?? []).length === 0 ? (
      t('childPage.noneRecorded')
    ) : (
      <List
        size="small"
        dataSource={groups ?? []}
        renderItem={(g) => {
          const since = sinceOf(events, type, g);
          return <List.Item>{since ? t('childPage.groupSince', { group: label(g), date: formatDate(since) }) : label(g)}</List.Item>;
        }}
      />
    );
  const columns = [
    { title: t('childPage.when'), dataIndex: 'recordedAt', key: 'when', render: (v: string) => formatDateTime(v) },
    {
      title: t('childPage.what'),
      key: 'what',
      render: (_: unknown, e: TimelineEntry) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{t(`childPage.event.${isKnown<KnownEvent>(KNOWN_EVENTS, e.type) ? e.type : 'other'}`)}</Typography.Text>
          {e.effectiveDate && <Typography.Text type="secondary">{t('childPage.sinceDate', { date: formatDate(e.effectiveDate) })}</Typography.Text>}
          {e.type === 'ResidenceChanged' && e.communeCode && <span>{t('childPage.movedTo', { unit: unitWithCode(unitNames, e.communeCode) })}</span>}
          {e.group !== null && e.type.startsWith('SpecialCircumstance') && <span>{t(`terms.group.${String(e.group)}` as 'terms.group.1')}</span>}
          {e.changes.map((ch) => (
            <span key={ch.field}>
              {t('childPage.change', {
                field: isKnown(KNOWN_FIELDS, ch.field) ? t(`childPage.field.${ch.field}`) : ch.field,
                from: fieldText(ch.field, ch.from),
                to: fieldText(ch.field, ch.to),
              })}
            </span>
          ))}
        </Space>
      ),
    },
    {
      title: t('childPage.who'),
      key: 'who',
      responsive: ['md' as const],
      render: (_: unknown, e: TimelineEntry) =>
        [
          e.actorUserId,
          e.actorRole ? t(`role.${e.actorRole}` as 'role.data_officer', { defaultValue: e.actorRole }) : null,
          e.actorUnit ? (unitNames.get(e.actorUnit) ?? e.actorUnit) : null,
        ]
          .filter(Boolean)
          .join(' · '),
    },
    { title: t('childPage.why'), dataIndex: 'reason', key: 'why', render: (v: string | null) => v ?? '' },
  ];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <section aria-labelledby="child-details">
        <Typography.Title level={2} id="child-details" style={{ fontSize: 18 }}>
          {t('childPage.details')}
        </Typography.Title>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t('childPage.fullName')}>{p.fullName ?? ''}</Descriptions.Item>
          <Descriptions.Item label={t('childPage.dateOfBirth')}>{p.dateOfBirth ? formatDate(p.dateOfBirth) : ''}</Descriptions.Item>
          <Descriptions.Item label={t('childPage.sex')}>{c.sex === 'M' || c.sex === 'F' ? t(`terms.sex.${c.sex}`) : ''}</Descriptions.Item>
          <Descriptions.Item label={t('terms.personalId')}>{p.personalId ?? ''}</Descriptions.Item>
          <Descriptions.Item label={t('childPage.residence')}>
            {[
              c.residence.communeCode ? unitWithCode(unitNames, c.residence.communeCode) : null,
              c.residence.effectiveFrom ? t('childPage.residenceSince', { date: formatDate(c.residence.effectiveFrom) }) : null,
            ]
              .filter(Boolean)
              .join(' ')}
          </Descriptions.Item>
          <Descriptions.Item label={t('childPage.status')}>{t(`childPage.statusValue.${c.status as 'active' | 'merged' | 'erased'}`)}</Descriptions.Item>
          <Descriptions.Item label={t('childPage.nationalId')}>
            {t(`terms.nationalIdState.${c.nationalId.state as 'none' | 'linked' | 'review_requested' | 'no_record_found'}`)}
            {c.nationalId.linkedAt ? ` · ${formatDate(c.nationalId.linkedAt)}` : ''}
          </Descriptions.Item>
          {p.motherName && <Descriptions.Item label={t('childPage.motherName')}>{p.motherName}</Descriptions.Item>}
          {p.fatherName && <Descriptions.Item label={t('childPage.fatherName')}>{p.fatherName}</Descriptions.Item>}
          <Descriptions.Item label={t('childPage.circumstances')}>
            {groupList(c.circumstances, 'SpecialCircumstanceIdentified', (g) => t(`terms.group.${String(g)}` as 'terms.group.1'))}
          </Descriptions.Item>
          <Descriptions.Item label={t('childPage.risks')}>{groupList(c.risks, 'RiskIdentified', (g) => String(g))}</Descriptions.Item>
        </Descriptions>
      </section>
      <ChildActions
        childId={childId}
        revision={c.revision}
        onWritten={(written) => {
          setAwaiting((before) => ({
            revision: written.revision,
            // A move stays known after later writes: the record may go out of reach only once the read side has it.
            communeCode: written.communeCode ?? before?.communeCode,
            waitUntil: Date.now() + CATCH_UP_WAIT_MS,
          }));
          void queries.invalidateQueries({ queryKey: ['children', childId] });
        }}
      />
      <section aria-labelledby="child-cases">
        <Typography.Title level={2} id="child-cases" style={{ fontSize: 18 }}>
          {t('childPage.cases')}
        </Typography.Title>
        {cases.data && (
          <Space direction="vertical">
            <span>{cases.data.openCaseCount > 0 ? t('childPage.openCases', { count: cases.data.openCaseCount }) : t('childPage.noOpenCase')}</span>
            {!cases.data.contentVisible && <Typography.Text type="secondary">{t('childPage.caseContentHidden')}</Typography.Text>}
            {cases.data.contentVisible && (
              <List
                size="small"
                dataSource={cases.data.cases}
                renderItem={(k) => (
                  <List.Item>
                    <Link to={`/cases/${k.caseId}`}>{t(`terms.caseStatus.${k.status as 'closed'}`)}</Link>
                    {k.openedAt ? ` · ${t('childPage.caseOpened')} ${formatDate(k.openedAt)}` : ''}
                  </List.Item>
                )}
              />
            )}
          </Space>
        )}
      </section>
      <section aria-labelledby="child-timeline">
        <Typography.Title level={2} id="child-timeline" style={{ fontSize: 18 }}>
          {t('childPage.timeline')}
        </Typography.Title>
        <Table<TimelineEntry>
          rowKey="eventId"
          size="small"
          loading={timeline.isFetching}
          dataSource={events}
          columns={columns}
          pagination={false}
          scroll={{ x: true }}
        />
      </section>
      <Link to="/children">{t('childPage.back')}</Link>
    </Space>
  );
}

export default function ChildPage() {
  const { t } = useTranslation();
  const { childId = '' } = useParams();
  return (
    <Page title={t('childPage.title')}>
      <PurposeGate record={`child:${childId}`} allowed={['case_work', 'reconciliation', 'data_correction']}>
        {(purpose) => <ChildScreen childId={childId} purpose={purpose} />}
      </PurposeGate>
    </Page>
  );
}
