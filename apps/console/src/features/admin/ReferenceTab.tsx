import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Descriptions, Modal, Select, Space, Table, Typography, Upload } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { StatusTag } from '../../app/StatusTag';
import { formatDateTime, formatNumber } from '../../format/format';
import { useIndicatorDefinitions } from '../dashboard/use-indicators';
import { fieldLabel, problemText } from './problems';
import {
  ReferenceKind,
  ReferencePreview,
  ReferencePreviewRow,
  ReferenceValue,
  ReferenceVersion,
  ROWS_PAGE,
  usePreview,
  useUpload,
  useVersionRows,
  useVersions,
  VERSIONS_PAGE,
} from './use-admin';

type Filter = 'all' | 'problems' | 'changes';

const STATUS_TONE = { added: 'good', changed: 'warning', unchanged: 'neutral', invalid: 'bad' } as const;

function useIndicatorLabel() {
  const { i18n } = useTranslation();
  const definitions = useIndicatorDefinitions();
  return (code: string) => {
    const d = definitions.data?.find((x) => x.indicator === code);
    return d ? (i18n.language === 'en' ? d.labelEn : d.labelVi) : code;
  };
}

const shownValue = (raw: string) => (raw !== '' && Number.isFinite(Number(raw)) ? formatNumber(Number(raw), { maximumFractionDigits: 2 }) : raw);

/** Choose a file, see what it would change (and what is wrong), upload it as a new version; the versions below. */
export function ReferenceTab({ kind }: { kind: ReferenceKind }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const indicatorLabel = useIndicatorLabel();
  const preview = usePreview(kind);
  const upload = useUpload(kind);
  const [file, setFile] = useState<File>();
  const [result, setResult] = useState<ReferencePreview>();
  const [failure, setFailure] = useState<string[]>();
  const [filter, setFilter] = useState<Filter>('all');
  const targets = kind === 'targets';

  const choose = async (f: File) => {
    setFile(f);
    setResult(undefined);
    setFailure(undefined);
    setFilter('all');
    try {
      const answer = await preview.mutateAsync(f);
      setResult(answer);
      if (answer.invalid > 0) setFilter('problems');
    } catch (err) {
      setFailure(err instanceof ApiError && err.problems.length > 0 ? err.problems.map((p) => problemText(t, p)) : [t('admin.reference.failed')]);
    }
  };

  const confirm = async () => {
    if (!file) return;
    try {
      const answer = await upload.mutateAsync(file);
      void message.success(t('admin.reference.uploaded', { version: String(answer.version), rows: formatNumber(answer.rows) }));
      setFile(undefined);
      setResult(undefined);
    } catch (err) {
      // The file stays chosen: the user can try again (the upload is all or nothing, so a retry never doubles a row).
      setFailure(err instanceof ApiError && err.problems.length > 0 ? err.problems.map((p) => problemText(t, p)) : [t('admin.reference.failed')]);
    }
  };

  const problemsByRow = useMemo(() => {
    const m = new Map<number, string[]>();
    for (const p of result?.errors ?? []) if (p.row !== null) m.set(p.row, [...(m.get(p.row) ?? []), problemText(t, p)]);
    return m;
  }, [result, t]);
  const rows = useMemo(() => {
    const all = result?.items ?? [];
    if (filter === 'problems') return all.filter((r) => r.status === 'invalid');
    if (filter === 'changes') return all.filter((r) => r.status === 'added' || r.status === 'changed');
    return all;
  }, [result, filter]);
  const statusLabel = (s: ReferencePreviewRow['status']) =>
    s === 'added'
      ? t('admin.reference.added')
      : s === 'changed'
        ? t('admin.reference.changed')
        : s === 'unchanged'
          ? t('admin.reference.unchanged')
          : t('admin.reference.invalid');

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Paragraph>{targets ? t('admin.reference.targetsIntro') : t('admin.reference.populationsIntro')}</Typography.Paragraph>
        <Typography.Paragraph type="secondary">
          {targets ? t('admin.reference.targetsColumns') : t('admin.reference.populationsColumns')} {t('admin.reference.codesAsText')}
        </Typography.Paragraph>
      </div>
      <Upload.Dragger
        accept=".csv,.xlsx"
        multiple={false}
        showUploadList={false}
        disabled={preview.isPending || upload.isPending}
        beforeUpload={(f) => {
          void choose(f);
          return false;
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined aria-hidden />
        </p>
        <p className="ant-upload-text">{t('admin.reference.choose')}</p>
        <p className="ant-upload-hint">{t('admin.reference.chooseHint')}</p>
      </Upload.Dragger>
      {preview.isPending && <Typography.Text>{t('admin.reference.previewing')}</Typography.Text>}
      {failure && (
        <Alert
          type="error"
          showIcon
          message={t('admin.reference.failed')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {failure.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          }
        />
      )}
      {result && file && (
        <section aria-labelledby={`preview-${kind}`}>
          <Typography.Title level={2} id={`preview-${kind}`} style={{ fontSize: 18 }}>
            {t('admin.reference.previewTitle', { file: file.name })}
          </Typography.Title>
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Descriptions bordered size="small" column={{ xs: 1, sm: 2, md: 5 }}>
              <Descriptions.Item label={t('admin.reference.rowsRead')}>{formatNumber(result.rows)}</Descriptions.Item>
              <Descriptions.Item label={t('admin.reference.added')}>{formatNumber(result.added)}</Descriptions.Item>
              <Descriptions.Item label={t('admin.reference.changed')}>{formatNumber(result.changed)}</Descriptions.Item>
              <Descriptions.Item label={t('admin.reference.unchanged')}>{formatNumber(result.unchanged)}</Descriptions.Item>
              <Descriptions.Item label={t('admin.reference.invalid')}>{formatNumber(result.invalid)}</Descriptions.Item>
            </Descriptions>
            {result.invalid > 0 ? (
              <Alert type="warning" showIcon message={t('admin.reference.fixFirst', { count: result.invalid })} />
            ) : (
              <Alert type="success" showIcon message={t('admin.reference.readyToUpload')} />
            )}
            <Space wrap>
              <Select<Filter>
                aria-label={t('admin.reference.filter')}
                value={filter}
                onChange={setFilter}
                style={{ minWidth: 260 }}
                options={[
                  { value: 'all', label: t('admin.reference.filterAll') },
                  { value: 'problems', label: t('admin.reference.filterProblems') },
                  { value: 'changes', label: t('admin.reference.filterChanges') },
                ]}
              />
              <Button type="primary" onClick={() => void confirm()} loading={upload.isPending} disabled={result.invalid > 0}>
                {t('admin.reference.upload')}
              </Button>
              <Button
                onClick={() => {
                  setFile(undefined);
                  setResult(undefined);
                  setFailure(undefined);
                }}
              >
                {t('admin.reference.cancel')}
              </Button>
            </Space>
            <Table<ReferencePreviewRow>
              size="small"
              rowKey="row"
              dataSource={rows}
              pagination={{ pageSize: 20, showSizeChanger: false }}
              scroll={{ x: true }}
              columns={[
                { title: t('admin.reference.colRow'), dataIndex: 'row', width: 70 },
                { title: t('admin.reference.colUnit'), dataIndex: 'unitCode' },
                { title: t('admin.reference.colPeriod'), dataIndex: 'period' },
                ...(targets ? [{ title: t('admin.reference.colIndicator'), render: (_: unknown, r: ReferencePreviewRow) => indicatorLabel(r.indicator) }] : []),
                {
                  title: t('admin.reference.colCurrent'),
                  render: (_, r) => (r.current === null ? '' : formatNumber(r.current, { maximumFractionDigits: 2 })),
                },
                { title: t('admin.reference.colNew'), render: (_, r) => shownValue(r.value) },
                { title: t('admin.reference.colResult'), render: (_, r) => <StatusTag tone={STATUS_TONE[r.status]}>{statusLabel(r.status)}</StatusTag> },
                {
                  title: t('admin.reference.colProblem'),
                  render: (_, r) => (problemsByRow.get(r.row) ?? []).map((p) => <div key={p}>{p}</div>),
                },
              ]}
            />
          </Space>
        </section>
      )}
      <Versions kind={kind} indicatorLabel={indicatorLabel} />
    </Space>
  );
}

function Versions({ kind, indicatorLabel }: { kind: ReferenceKind; indicatorLabel: (code: string) => string }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const versions = useVersions(kind, page);
  return (
    <section aria-labelledby={`versions-${kind}`}>
      <Typography.Title level={2} id={`versions-${kind}`} style={{ fontSize: 18 }}>
        {t('admin.reference.versions')}
      </Typography.Title>
      {versions.isError && <Alert type="error" showIcon message={t('admin.reference.loadFailed')} />}
      <Table<ReferenceVersion>
        size="small"
        rowKey="version"
        loading={versions.isLoading}
        dataSource={versions.data?.items ?? []}
        locale={{ emptyText: t('admin.reference.versionsEmpty') }}
        scroll={{ x: true }}
        pagination={{ current: page, pageSize: VERSIONS_PAGE, total: versions.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          {
            title: t('admin.reference.colVersion'),
            render: (_, v) => (
              <Space size="small">
                {v.version}
                {v.latest && <StatusTag tone="good">{t('admin.reference.latest')}</StatusTag>}
              </Space>
            ),
          },
          { title: t('admin.reference.colWhen'), render: (_, v) => formatDateTime(v.loadedAt) },
          { title: t('admin.reference.colWho'), render: (_, v) => v.loadedByName ?? v.loadedBy },
          { title: t('admin.reference.colFile'), render: (_, v) => v.fileName ?? t('admin.reference.noFileName') },
          { title: t('admin.reference.colRows'), render: (_, v) => formatNumber(v.rowCount) },
          {
            title: '',
            key: 'rows',
            render: (_, v) => (
              <Button size="small" onClick={() => setOpen(v.version)}>
                {t('admin.reference.showRows')}
              </Button>
            ),
          },
        ]}
      />
      <VersionRows kind={kind} version={open} onClose={() => setOpen(null)} indicatorLabel={indicatorLabel} />
    </section>
  );
}

function VersionRows({
  kind,
  version,
  onClose,
  indicatorLabel,
}: {
  kind: ReferenceKind;
  version: number | null;
  onClose: () => void;
  indicatorLabel: (code: string) => string;
}) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const rows = useVersionRows(kind, version, page);
  return (
    <Modal
      open={version !== null}
      title={t('admin.reference.versionRows', { version: String(version ?? '') })}
      onCancel={() => {
        setPage(1);
        onClose();
      }}
      footer={<Button onClick={onClose}>{t('admin.reference.close')}</Button>}
      width={720}
    >
      <Table<ReferenceValue>
        size="small"
        rowKey={(r) => `${r.unitCode}|${r.period}|${r.indicator}`}
        loading={rows.isFetching}
        dataSource={rows.data?.rows ?? []}
        scroll={{ x: true }}
        pagination={{ current: page, pageSize: ROWS_PAGE, total: rows.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: t('admin.reference.colUnit'), dataIndex: 'unitCode' },
          { title: t('admin.reference.colPeriod'), dataIndex: 'period' },
          ...(kind === 'targets' ? [{ title: fieldLabel(t, 'indicator'), render: (_: unknown, r: ReferenceValue) => indicatorLabel(r.indicator) }] : []),
          { title: t('admin.reference.colValue'), render: (_, r) => formatNumber(r.value, { maximumFractionDigits: 2 }) },
        ]}
      />
    </Modal>
  );
}
