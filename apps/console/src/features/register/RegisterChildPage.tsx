import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Col, DatePicker, Form, FormInstance, Input, Radio, Row } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError, unwrap, useApi } from '../../api';
import { Page } from '../../app/Page';
import { DATE_INPUT_FORMAT } from '../../format/format';
import { changedPaths, FormProblem, fieldErrors, problemText, splitApiProblems } from './form-problems';
import { REGISTRATION_FIELDS, RegistrationInput, registrationBody, validateRegistration, vietnamToday } from './registration';
import { SubmissionKeys } from './submission-key';
import { FormTheme } from './FormTheme';
import { UnitPicker } from './UnitPicker';
import { provinceCodeLookup, useProvinces } from './use-admin-units';

interface FormValues {
  fullName?: string;
  dateOfBirth?: Dayjs | null;
  sex?: 'M' | 'F';
  personalId?: string;
  residence?: { communeCode?: string; effectiveFrom?: Dayjs | null };
  motherName?: string;
  fatherName?: string;
  notes?: string;
}

type FieldsOf<V> = Parameters<FormInstance<V>['setFields']>[0];

const iso = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

export function toInput(v: FormValues): RegistrationInput {
  return { ...v, dateOfBirth: iso(v.dateOfBirth), residence: { communeCode: v.residence?.communeCode, effectiveFrom: iso(v.residence?.effectiveFrom) } };
}

export default function RegisterChildPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const api = useApi();
  const navigate = useNavigate();
  const [form] = Form.useForm<FormValues>();
  const keys = useRef(new SubmissionKeys());
  const [general, setGeneral] = useState<FormProblem[] | 'network' | undefined>(undefined);
  const residenceFrom = iso(Form.useWatch(['residence', 'effectiveFrom'], form));
  const today = vietnamToday();
  // Province codes of both lists (a personal ID may carry an old one): today's provinces know their former codes.
  const provinces = useProvinces(today);
  const isKnownProvinceCode = useMemo(() => provinceCodeLookup(provinces.data), [provinces.data]);
  const text = (p: FormProblem) => problemText(t, p);

  const register = useMutation({
    mutationFn: async (input: RegistrationInput) => {
      const body = registrationBody(input);
      const key = keys.current.keyFor(body);
      return unwrap(await api.registry.POST('/api/v1/children', { body, params: { header: { 'Idempotency-Key': key } } }));
    },
    onSuccess: (result) => {
      keys.current.done();
      void message.success(t('register.done'));
      void navigate(`/children/${result.id}`);
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return setGeneral('network');
      const { byField, general: rest } = splitApiProblems(error, REGISTRATION_FIELDS);
      form.setFields(fieldErrors(byField, REGISTRATION_FIELDS, text) as FieldsOf<FormValues>);
      setGeneral(rest.length > 0 ? rest : [{ field: '', rule: 'refused' }]);
    },
  });

  const submit = (values: FormValues) => {
    setGeneral(undefined);
    const input = toInput(values);
    const problems = validateRegistration(input, { today, isKnownProvinceCode });
    form.setFields(fieldErrors(problems, REGISTRATION_FIELDS, text) as FieldsOf<FormValues>);
    if (problems.length > 0) return;
    register.mutate(input);
  };

  const datePicker = (label: string) => (
    <DatePicker format={DATE_INPUT_FORMAT} placeholder={t('register.datePlaceholder')} aria-label={label} style={{ width: '100%' }} />
  );

  return (
    <Page title={t('register.title')} intro={t('register.intro')}>
      <FormTheme>
        <Form
          form={form}
          layout="vertical"
          onFinish={submit}
          onValuesChange={(changed: object) => form.setFields(changedPaths(changed).map((name) => ({ name, errors: [] as string[] })) as FieldsOf<FormValues>)}
          initialValues={{ residence: {} }}
          style={{ maxWidth: 880 }}
          noValidate
        >
          {general && (
            <Alert
              type="error"
              showIcon
              role="alert"
              style={{ marginBottom: 16 }}
              message={general === 'network' ? t('register.failed') : t('register.refused')}
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
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="fullName" label={t('register.fullName')} required>
                <Input autoComplete="off" maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="dateOfBirth" label={t('register.dateOfBirth')} required>
                {datePicker(t('register.dateOfBirth'))}
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="sex" label={t('register.sex')} required>
                <Radio.Group
                  aria-label={t('register.sex')}
                  options={[
                    { value: 'M', label: t('terms.sex.M') },
                    { value: 'F', label: t('terms.sex.F') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="personalId" label={t('register.personalId')} extra={t('register.personalIdHelp')}>
                <Input inputMode="numeric" autoComplete="off" maxLength={20} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={['residence', 'effectiveFrom']} label={t('register.residenceFrom')} required>
                {datePicker(t('register.residenceFrom'))}
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name={['residence', 'communeCode']} label={t('register.commune')} required>
                <UnitPicker at={residenceFrom} provinceLabel={t('register.province')} communeLabel={t('register.commune')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="motherName" label={t('register.motherName')}>
                <Input autoComplete="off" maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="fatherName" label={t('register.fatherName')}>
                <Input autoComplete="off" maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="notes" label={t('register.notes')}>
                <Input.TextArea rows={2} maxLength={4000} />
              </Form.Item>
            </Col>
          </Row>
          <Button type="primary" htmlType="submit" loading={register.isPending} disabled={register.isPending}>
            {register.isPending ? t('register.submitting') : t('register.submit')}
          </Button>
        </Form>
      </FormTheme>
    </Page>
  );
}
