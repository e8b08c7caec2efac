import { Alert, App, Button, Checkbox, Descriptions, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { StatusTag } from '../../app/StatusTag';
import { formatDateTime } from '../../format/format';
import { tKey } from '../../i18n/resources';
import { FieldCatalogue, Partner, useFieldCatalogue, usePartners, useRotateSecret, useSaveAgreement } from './use-admin';

const SECTORS = {
  health: tKey('admin.sector.health'),
  education: tKey('admin.sector.education'),
  public_security: tKey('admin.sector.public_security'),
  justice: tKey('admin.sector.justice'),
  other: tKey('admin.sector.other'),
} as const;

/** The partners and, for the one chosen, the fields it may receive per event type. */
export function PartnersTab() {
  const { t } = useTranslation();
  const partners = usePartners();
  const catalogue = useFieldCatalogue();
  // The partner open is in the address (?tab=partners&partner=moj): a link to it, and kept when the screen is drawn again.
  const [params, setParams] = useSearchParams();
  const chosen = params.get('partner') ?? undefined;
  const setChosen = (id: string) => setParams({ tab: 'partners', partner: id });
  const partner = partners.data?.find((p) => p.id === chosen);
  const jurisdictions = (p: Partner) => (p.jurisdictions.includes('*') ? t('admin.partners.everywhere') : p.jurisdictions.join(', '));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('admin.partners.intro')}</Typography.Paragraph>
      {(partners.isError || catalogue.isError) && <Alert type="error" showIcon message={t('admin.reference.loadFailed')} />}
      <Table<Partner>
        size="small"
        rowKey="id"
        loading={partners.isLoading}
        dataSource={partners.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { title: t('admin.partners.colName'), dataIndex: 'name' },
          { title: t('admin.partners.colId'), dataIndex: 'id' },
          { title: t('admin.partners.colSector'), render: (_, p) => t(SECTORS[p.sector]) },
          { title: t('admin.partners.colJurisdictions'), render: (_, p) => jurisdictions(p) },
          {
            title: t('admin.partners.colManagedBy'),
            render: (_, p) => (p.managedBy === 'file' ? t('admin.partners.managedByFile') : t('admin.partners.managedByApi')),
          },
          { title: t('admin.partners.colUpdated'), render: (_, p) => (p.updatedAt ? formatDateTime(p.updatedAt) : '') },
          {
            title: '',
            key: 'open',
            render: (_, p) => (
              <Button
                size="small"
                type={p.id === chosen ? 'primary' : 'default'}
                aria-label={t('admin.partners.openPartner', { name: p.name })}
                onClick={() => setChosen(p.id)}
              >
                {t('admin.partners.open')}
              </Button>
            ),
          },
        ]}
      />
      {partner && catalogue.data && <AgreementEditor key={`${partner.id}:${partner.updatedAt ?? ''}`} partner={partner} catalogue={catalogue.data} />}
    </Space>
  );
}

function AgreementEditor({ partner, catalogue }: { partner: Partner; catalogue: FieldCatalogue }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const save = useSaveAgreement();
  const rotate = useRotateSecret();
  // What is being edited stays here when a save fails: nothing chosen is lost (a saved change remounts the editor: its key).
  const [events, setEvents] = useState<Record<string, string[]>>(partner.events);
  const [problems, setProblems] = useState<string[]>();
  const [secret, setSecret] = useState<string>();
  const readOnly = partner.managedBy === 'file';
  const personalChosen = catalogue.some((c) => (events[c.eventType] ?? []).some((f) => c.fields.find((x) => x.path === f)?.personal));

  const toggleType = (type: string, on: boolean) =>
    setEvents((e) => {
      const next = { ...e };
      if (on) next[type] = next[type] ?? [];
      else delete next[type];
      return next;
    });

  const submit = async () => {
    setProblems(undefined);
    try {
      await save.mutateAsync({
        id: partner.id,
        body: {
          name: partner.name,
          sector: partner.sector,
          events,
          jurisdictions: partner.jurisdictions,
          channels: partner.channels,
          ...(partner.retentionDays === undefined ? {} : { retentionDays: partner.retentionDays }),
        },
      });
      void message.success(t('admin.partners.saved', { name: partner.name }));
    } catch (err) {
      setProblems(
        err instanceof ApiError && err.problems.length > 0
          ? err.problems.map((p) => `${p.field ?? ''}: ${p.message}`)
          : [err instanceof Error ? err.message : ''],
      );
    }
  };

  const issue = async () => {
    try {
      setSecret((await rotate.mutateAsync(partner.id)).clientSecret);
    } catch {
      void message.error(t('admin.partners.rotateFailed'));
    }
  };

  return (
    <section aria-labelledby="agreement-title">
      <Typography.Title level={2} id="agreement-title" style={{ fontSize: 18 }}>
        {t('admin.partners.editing', { name: partner.name })}
      </Typography.Title>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('admin.partners.colJurisdictions')}>
            {partner.jurisdictions.includes('*') ? t('admin.partners.everywhere') : partner.jurisdictions.join(', ')}
          </Descriptions.Item>
          <Descriptions.Item label={t('admin.partners.channels')}>{partner.channels.join(', ')}</Descriptions.Item>
          {partner.retentionDays !== undefined && (
            <Descriptions.Item label={t('admin.partners.colUpdated')}>
              {t('admin.partners.retention', { days: String(partner.retentionDays) })}
            </Descriptions.Item>
          )}
        </Descriptions>
        {readOnly && <Alert type="info" showIcon message={t('admin.partners.fileManaged')} />}
        <Typography.Title level={3} style={{ fontSize: 16 }}>
          {t('admin.partners.eventTypes')}
        </Typography.Title>
        {catalogue.map((c) => {
          const on = c.eventType in events;
          return (
            <fieldset key={c.eventType} style={{ border: '1px solid #d9d9d9', borderRadius: 6, padding: '8px 12px', margin: 0 }}>
              <legend style={{ fontSize: 14, width: 'auto', padding: '0 4px', margin: 0, border: 0 }}>
                <Checkbox checked={on} disabled={readOnly} onChange={(e) => toggleType(c.eventType, e.target.checked)}>
                  {t('admin.partners.receives', { type: c.eventType })}
                </Checkbox>
              </legend>
              {on && (
                <Checkbox.Group
                  aria-label={t('admin.partners.fieldsOf', { type: c.eventType })}
                  disabled={readOnly}
                  value={events[c.eventType] ?? []}
                  onChange={(v) => setEvents((e) => ({ ...e, [c.eventType]: v as string[] }))}
                  style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px' }}
                  options={c.fields.map((f) => ({
                    value: f.path,
                    label: (
                      <span>
                        <Typography.Text code>{f.path}</Typography.Text>
                        {f.personal && <StatusTag tone="warning">{t('admin.partners.personal')}</StatusTag>}
                      </span>
                    ),
                  }))}
                />
              )}
            </fieldset>
          );
        })}
        {personalChosen && <Alert type="warning" showIcon message={t('admin.partners.personalWarning')} />}
        {problems && <Alert type="error" showIcon message={t('admin.partners.saveFailed')} description={problems.join('; ')} />}
        <Space wrap>
          {!readOnly && (
            <Button type="primary" loading={save.isPending} onClick={() => void submit()}>
              {t('admin.partners.save')}
            </Button>
          )}
          <Popconfirm
            title={t('admin.partners.rotate')}
            description={t('admin.partners.rotateConfirm')}
            okText={t('admin.partners.rotateOk')}
            cancelText={t('admin.partners.rotateCancel')}
            onConfirm={() => void issue()}
          >
            <Button loading={rotate.isPending}>{t('admin.partners.rotate')}</Button>
          </Popconfirm>
        </Space>
      </Space>
      <Modal
        open={secret !== undefined}
        title={t('admin.partners.secretTitle', { name: partner.name })}
        closable={false}
        maskClosable={false}
        destroyOnHidden
        footer={
          <Button type="primary" onClick={() => setSecret(undefined)}>
            {t('admin.partners.secretDone')}
          </Button>
        }
      >
        <Alert type="warning" showIcon message={t('admin.partners.secretOnce')} style={{ marginBottom: 12 }} />
        <Typography.Text strong>{t('admin.partners.secretLabel')}</Typography.Text>
        <Typography.Paragraph copyable code style={{ wordBreak: 'break-all' }}>
          {secret}
        </Typography.Paragraph>
      </Modal>
    </section>
  );
}
