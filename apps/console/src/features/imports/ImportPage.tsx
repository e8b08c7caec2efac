import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Progress, Select, Space, Table, Upload } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api';
import { Page } from '../../app/Page';
import { useAuth } from '../../auth/auth';
import { ImportProblem, ImportReport, contentTypeOf, isIncomplete, uploadImport } from './upload';

type Filter = 'all' | 'rejected' | 'incomplete' | 'warning';

export default function ImportPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { accessToken } = useAuth();
  const [file, setFile] = useState<File>();
  const [percent, setPercent] = useState<number>();
  const [report, setReport] = useState<ImportReport>();
  const [failure, setFailure] = useState<string>();
  const [filter, setFilter] = useState<Filter>('all');
  const [downloading, setDownloading] = useState(false);

  const start = async (f: File) => {
    setFile(f);
    setReport(undefined);
    setFailure(undefined);
    setPercent(0);
    try {
      const answer = await uploadImport(f, accessToken(), setPercent);
      if (answer.report) setReport(answer.report);
      else setFailure(answer.message ?? t('import.failed'));
    } catch {
      setFailure(t('import.failed'));
    }
  };

  const download = async () => {
    if (!file || !report) return;
    setDownloading(true);
    try {
      const { data, response } = await api.registry.POST('/api/v1/imports/{importId}/rejected-rows', {
        params: { path: { importId: report.id }, query: { purpose: 'data_correction' } },
        headers: { 'Content-Type': contentTypeOf(file) },
        body: '' as never,
        bodySerializer: () => file,
        parseAs: 'blob',
      });
      if (!response.ok || !(data instanceof Blob)) {
        setFailure(t('import.downloadFailed'));
        return;
      }
      const url = URL.createObjectURL(data);
      const a = document.createElement('a');
      a.href = url;
      a.download = `dong-bi-tu-choi-${report.id}.xlsx`;
      a.click();
      URL.revokeObjectURL(url);
    } finally {
      setDownloading(false);
    }
  };

  const problems = useMemo(() => {
    const all = report?.problems ?? [];
    if (filter === 'rejected') return all.filter((p) => p.kind === 'rejected');
    if (filter === 'incomplete') return all.filter(isIncomplete);
    if (filter === 'warning') return all.filter((p) => p.kind === 'warning' && !isIncomplete(p));
    return all;
  }, [report, filter]);
  const incomplete = report?.problems.filter(isIncomplete).length ?? 0;

  return (
    <Page title={t('import.title')} intro={t('import.intro')}>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Upload.Dragger
          accept=".csv,.xlsx"
          multiple={false}
          showUploadList={false}
          beforeUpload={(f) => {
            void start(f);
            return false;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined aria-hidden />
          </p>
          <p className="ant-upload-text">{t('import.drop')}</p>
          <p className="ant-upload-hint">{t('import.hint')}</p>
        </Upload.Dragger>
        {percent !== undefined && !report && !failure && <Progress percent={percent} aria-label={t('import.progress')} />}
        {failure && <Alert type="error" showIcon message={failure} />}
        {report && (
          <>
            <Descriptions bordered size="small" column={{ xs: 1, sm: 2, md: 4 }} title={t('import.report')}>
              <Descriptions.Item label={t('import.rowsRead')}>{report.rows.read}</Descriptions.Item>
              <Descriptions.Item label={t('import.imported')}>{report.rows.imported}</Descriptions.Item>
              <Descriptions.Item label={t('import.alreadyImported')}>{report.rows.alreadyImported}</Descriptions.Item>
              <Descriptions.Item label={t('import.rejected')}>{report.rows.rejected}</Descriptions.Item>
              <Descriptions.Item label={t('import.incomplete')}>{incomplete}</Descriptions.Item>
            </Descriptions>
            <Space wrap>
              <Select<Filter>
                aria-label={t('import.filter')}
                value={filter}
                onChange={setFilter}
                style={{ minWidth: 220 }}
                options={[
                  { value: 'all', label: t('import.filterAll') },
                  { value: 'rejected', label: t('import.filterRejected') },
                  { value: 'incomplete', label: t('import.filterIncomplete') },
                  { value: 'warning', label: t('import.filterWarning') },
                ]}
              />
              <Button onClick={() => void download()} loading={downloading} disabled={report.rows.rejected === 0}>
                {t('import.download')}
              </Button>
            </Space>
            <Table<ImportProblem>
              size="small"
              rowKey={(p) => `${p.row}-${p.code}-${p.column ?? ''}`}
              dataSource={problems}
              pagination={{ pageSize: 20, showSizeChanger: false }}
              scroll={{ x: true }}
              columns={[
                { title: t('import.colRow'), dataIndex: 'row', width: 80 },
                {
                  title: t('import.colKind'),
                  render: (_, p) => (isIncomplete(p) ? t('import.kindIncomplete') : p.kind === 'rejected' ? t('import.kindRejected') : t('import.kindWarning')),
                },
                { title: t('import.colColumn'), render: (_, p) => p.header ?? p.column ?? '' },
                { title: t('import.colCode'), dataIndex: 'code' },
                { title: t('import.colReason'), render: (_, p) => (i18n.language === 'en' ? p.reason : p.reasonVi) },
              ]}
            />
          </>
        )}
      </Space>
    </Page>
  );
}
