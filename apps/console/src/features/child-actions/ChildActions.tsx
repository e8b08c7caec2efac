import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Form, FormInstance, Input, Modal, Radio, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap, useApi } from '../../api';
import { DATE_INPUT_FORMAT } from '../../format/format';
import { changedPaths, FormProblem, fieldErrors, problemText, splitApiProblems } from '../register/form-problems';
import { vietnamToday } from '../register/registration';
import { SubmissionKeys } from '../register/submission-key';
import { FormTheme } from '../register/FormTheme';
import { UnitPicker } from '../register/UnitPicker';
import {
  ACTION_FIELDS,
  ACTIONS,
  ActionInput,
  ActionRequest,
  actionRequest,
  ChildAction,
  CORRECTABLE,
  dateField,
  GROUPS,
  RISK_OUTCOMES,
  validateAction,
} from './child-actions';

export interface ChildActionsProps {
  childId: string;
  /** The record's revision as last read (sent as If-Match). */
  revision: number;
  /** Called after a command is written, so the page reads the record again; a move says where to. */
  onWritten(written: Written): void;
}

/** What was just written: the action, the record's revision after it and, for a move, the commune the child moved to. */
export interface Written {
  action: ChildAction;
  revision: number;
  communeCode?: string;
}

interface FormValues extends Omit<ActionInput, 'date' | 'changes'> {
  date?: Dayjs | null;
  changes?: Partial<Record<(typeof CORRECTABLE)[number], string | Dayjs | null>>;
}

type FieldsOf<V> = Parameters<FormInstance<V>['setFields']>[0];

// The form's names: the date is `date` in every form, the API's effectiveFrom / effectiveTo.
const toFormField = (action: ChildAction, field: string) => (field === dateField(action) ? 'date' : field);
const iso = (d: Dayjs | string | null | undefined) => (d && typeof d !== 'string' ? d.format('YYYY-MM-DD') : (d ?? undefined));

export function toActionInput(v: FormValues): ActionInput {
  const changes = Object.fromEntries(Object.entries(v.changes ?? {}).map(([k, val]) => [k, iso(val) ?? ''])) as ActionInput['changes'];
  return { ...v, changes, date: iso(v.date) };
}

/** The actions on a child's record: correct details, record a move, identify or end circumstances and risks. */
export function ChildActions({ childId, revision, onWritten }: ChildActionsProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<ChildAction | undefined>(undefined);
  // The revision this screen wrote last: the page's read model may not have caught up with it yet,
  // and the next action's If-Match must not be the older one (a 409 for the officer's own change).
  const [written, setWritten] = useState(-1);
  const current = Math.max(revision, written);
  const afterWrite = (rev: number, what: Omit<Written, 'revision'>) => {
    setWritten((w) => Math.max(w, rev));
    onWritten({ ...what, revision: rev });
  };
  return (
    <section aria-label={t('childActions.title')}>
      <Space wrap>
        {ACTIONS.map((a) => (
          <Button key={a} onClick={() => setOpen(a)}>
            {t(`childActions.${a}.open`)}
          </Button>
        ))}
      </Space>
      {open && <ActionDialog key={open} action={open} childId={childId} revision={current} onClose={() => setOpen(undefined)} onWritten={afterWrite} />}
    </section>
  );
}

function ActionDialog({
  action,
  childId,
  revision,
  onClose,
  onWritten,
}: Omit<ChildActionsProps, 'onWritten'> & { action: ChildAction; onClose(): void; onWritten(revision: number, what: Omit<Written, 'revision'>): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const api = useApi();
  const [form] = Form.useForm<FormValues>();
  const keys = useRef(new SubmissionKeys());
  const [general, setGeneral] = useState<FormProblem[] | 'network' | undefined>(undefined);
  const date = iso(Form.useWatch('date', form));
  const today = vietnamToday();
  const apiFields = ACTION_FIELDS[action];
  const formFields = apiFields.map((f) => toFormField(action, f));
  const text = (p: FormProblem) => problemText(t, p);
  const show = (problems: FormProblem[]) =>
    form.setFields(
      fieldErrors(
        problems.map((p) => ({ ...p, field: toFormField(action, p.field) })),
        formFields,
        text,
      ) as FieldsOf<FormValues>,
    );

  const write = useMutation({
    mutationFn: async (request: ActionRequest) => {
      // If-Match guards a correction: it edits values the officer saw, which someone may have changed
      // since. The other actions add a fact the decider checks on the record as it is now (a group
      // already active, a move before the current residence); an identity decision the adapter wrote
      // meanwhile must not turn them into a conflict.
      const header = {
        ...(request.action === 'correct' ? { 'If-Match': `"${revision}"` } : {}),
        'Idempotency-Key': keys.current.keyFor(request),
      };
      const path = { childId };
      switch (request.action) {
        case 'correct':
          return unwrap(await api.registry.POST('/api/v1/children/{childId}/corrections', { params: { path, header }, body: request.body }));
        case 'move':
          return unwrap(await api.registry.POST('/api/v1/children/{childId}/residence-changes', { params: { path, header }, body: request.body }));
        case 'identifyCircumstance':
          return unwrap(await api.registry.POST('/api/v1/children/{childId}/special-circumstances', { params: { path, header }, body: request.body }));
        case 'endCircumstance':
          return unwrap(
            await api.registry.POST('/api/v1/children/{childId}/special-circumstances/{group}/end', {
              params: { path: { ...path, group: request.group }, header },
              body: request.body,
            }),
          );
        case 'identifyRisk':
          return unwrap(await api.registry.POST('/api/v1/children/{childId}/risks', { params: { path, header }, body: request.body }));
        case 'resolveRisk':
          return unwrap(
            await api.registry.POST('/api/v1/children/{childId}/risks/{group}/resolve', {
              params: { path: { ...path, group: request.group }, header },
              body: request.body,
            }),
          );
      }
    },
    onSuccess: (result, request) => {
      keys.current.done();
      void message.success(t(`childActions.${action}.done`));
      onWritten(result.revision, request.action === 'move' ? { action, communeCode: request.body.communeCode } : { action });
      onClose();
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return setGeneral('network');
      const { byField, general: rest } = splitApiProblems(error, apiFields);
      show(byField);
      setGeneral(rest.length > 0 ? rest : [{ field: '', rule: 'refused' }]);
    },
  });

  const submit = (values: FormValues) => {
    setGeneral(undefined);
    const input = toActionInput(values);
    const problems = validateAction(action, input, today);
    show(problems);
    // A correction with nothing filled in has no input of its own to show it beside.
    if (problems.some((p) => p.field === 'changes')) setGeneral(problems.filter((p) => p.field === 'changes'));
    if (problems.length > 0) return;
    write.mutate(actionRequest(action, input));
  };

  const title = t(`childActions.${action}.title`);
  const dateLabel = t(`childActions.${action}.date`);
  const groupOptions = GROUPS.map((g) => ({ value: g, label: `${g}. ${t(`terms.group.${g}`)}` }));

  return (
    <FormTheme>
      <Modal open title={title} onCancel={onClose} destroyOnHidden footer={null} width={640}>
        <Form
          form={form}
          layout="vertical"
          onFinish={submit}
          onValuesChange={(changed: object) => form.setFields(changedPaths(changed).map((name) => ({ name, errors: [] as string[] })) as FieldsOf<FormValues>)}
          noValidate
        >
          {general && (
            <Alert
              type="error"
              showIcon
              role="alert"
              style={{ marginBottom: 16 }}
              message={general === 'network' ? t('childActions.failed') : t('childActions.refused')}
              description={
                general === 'network'
                  ? undefined
                  : general
                      .filter((p) => p.rule !== 'refused')
                      .map(text)
                      .join(' ')
              }
            />
          )}
          {action === 'correct' && (
            <>
              <Form.Item name={['changes', 'fullName']} label={t('childActions.correct.fullName')}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name={['changes', 'dateOfBirth']} label={t('childActions.correct.dateOfBirth')}>
                <DatePicker format={DATE_INPUT_FORMAT} aria-label={t('childActions.correct.dateOfBirth')} style={{ width: '100%' }} />
              </Form.Item>
              <Form.Item name={['changes', 'sex']} label={t('childActions.correct.sex')}>
                <Radio.Group
                  aria-label={t('childActions.correct.sex')}
                  options={[
                    { value: 'M', label: t('terms.sex.M') },
                    { value: 'F', label: t('terms.sex.F') },
                  ]}
                />
              </Form.Item>
              <Form.Item name={['changes', 'personalId']} label={t('childActions.correct.personalId')}>
                <Input inputMode="numeric" autoComplete="off" />
              </Form.Item>
              <Form.Item name={['changes', 'motherName']} label={t('childActions.correct.motherName')}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name={['changes', 'fatherName']} label={t('childActions.correct.fatherName')}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name={['changes', 'notes']} label={t('childActions.correct.notes')}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </>
          )}
          {action !== 'correct' && (
            <Form.Item name="date" label={dateLabel} required>
              <DatePicker format={DATE_INPUT_FORMAT} placeholder={t('register.datePlaceholder')} aria-label={dateLabel} style={{ width: '100%' }} />
            </Form.Item>
          )}
          {action === 'move' && (
            <Form.Item name="communeCode" label={t('register.commune')} required>
              <UnitPicker at={date} provinceLabel={t('register.province')} communeLabel={t('register.commune')} />
            </Form.Item>
          )}
          {action !== 'correct' && action !== 'move' && (
            <Form.Item name="group" label={t(`childActions.${action}.group`)} required>
              <Select aria-label={t(`childActions.${action}.group`)} options={groupOptions} showSearch optionFilterProp="label" />
            </Form.Item>
          )}
          {action === 'resolveRisk' && (
            <Form.Item name="outcome" label={t('childActions.resolveRisk.outcome')} required>
              <Radio.Group
                aria-label={t('childActions.resolveRisk.outcome')}
                options={RISK_OUTCOMES.map((o) => ({ value: o, label: t(`terms.riskOutcome.${o}`) }))}
              />
            </Form.Item>
          )}
          {action === 'identifyRisk' && (
            <Form.Item name="description" label={t('childActions.identifyRisk.description')}>
              <Input.TextArea rows={2} />
            </Form.Item>
          )}
          {(action === 'correct' || action === 'endCircumstance') && (
            <Form.Item name="reason" label={t(`childActions.${action}.reason`)} required={action === 'correct'} extra={t('childActions.reasonHelp')}>
              <Input.TextArea rows={2} />
            </Form.Item>
          )}
          <Space>
            <Button type="primary" htmlType="submit" loading={write.isPending}>
              {t('childActions.save')}
            </Button>
            <Button onClick={onClose}>{t('childActions.cancel')}</Button>
          </Space>
        </Form>
      </Modal>
    </FormTheme>
  );
}
