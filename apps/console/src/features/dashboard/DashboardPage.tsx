import { Alert, App as AntApp, Button, Col, Form, Input, Row, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { Page } from '../../app/Page';
import { StatusTag } from '../../app/StatusTag';
import { useAuth } from '../../auth/auth';
import { formatNumber } from '../../format/format';
import { EChart } from './EChart';
import { PublishButton, PublishedFigures } from './PublishedFigures';
import {
  Breakdown,
  BreakdownRow,
  IndicatorDefinition,
  IndicatorQuery,
  IndicatorValue,
  useIndicatorDefinitions,
  useIndicators,
  useIndicatorWorkbook,
  useMonthlyTrend,
} from './use-indicators';

const THIS_YEAR = new Date().getFullYear();
const YEARS = [THIS_YEAR, THIS_YEAR - 1, THIS_YEAR - 2];
/** A date in the pre-reform unit list (the last day before 2025-07-01). */
const OLD_UNITS_ON = '2025-06-30';
const BREAKDOWNS: { value: Breakdown; key: 'byNone' | 'byCommune' | 'bySex' | 'byAgeBand' | 'byCommuneSex'; provinceOnly?: boolean }[] = [
  { value: 'none', key: 'byNone' },
  { value: 'commune', key: 'byCommune', provinceOnly: true },
  { value: 'sex', key: 'bySex' },
  { value: 'ageBand', key: 'byAgeBand' },
  { value: 'commune,sex', key: 'byCommuneSex', provinceOnly: true },
];

export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const { user } = useAuth();
  const defaultUnit = user?.provinces[0] ?? user?.communes[0] ?? '01';
  const [unit, setUnit] = useState(defaultUnit);
  const [draftUnit, setDraftUnit] = useState(defaultUnit);
  const [period, setPeriod] = useState(String(THIS_YEAR));
  const [oldUnits, setOldUnits] = useState(false);
  const [by, setBy] = useState<Breakdown>('none');
  const [trendIndicator, setTrendIndicator] = useState<string | undefined>();
  const [breakdownIndicator, setBreakdownIndicator] = useState<string | undefined>();
  const [exporting, setExporting] = useState(false);

  const isProvince = /^\d{2}$/.test(unit);
  // Who may publish (targets' roles) and who reads publications (the roles that see counts unsuppressed), as the API has them.
  const mayPublish = user?.role === 'admin' || user?.role === 'inspector';
  const mayReadPublications = mayPublish || user?.role === 'case_worker';
  const query: IndicatorQuery = { unit, period, by: isProvince || !by.includes('commune') ? by : 'none', unitsOn: oldUnits ? OLD_UNITS_ON : undefined };
  const definitions = useIndicatorDefinitions();
  const result = useIndicators(query);
  const year = Number(period.slice(0, 4));
  const trend = useMonthlyTrend(unit, year, query.unitsOn);
  const workbook = useIndicatorWorkbook();

  const defs = useMemo(() => new Map<string, IndicatorDefinition>((definitions.data ?? []).map((d) => [d.indicator, d])), [definitions.data]);
  const label = (indicator: string) => {
    const d = defs.get(indicator);
    return d ? (i18n.language.startsWith('en') ? d.labelEn : d.labelVi) : indicator;
  };
  const show = (v: IndicatorValue | undefined, value: number | null | undefined = v?.value): string => {
    if (!v) return t('dashboard.none');
    if (v.suppressed) return t('dashboard.suppressed');
    if (value === null || value === undefined) return t('dashboard.none');
    if (v.unit === 'percent') return `${formatNumber(value, { maximumFractionDigits: 1 })} ${t('dashboard.percentUnit')}`;
    if (v.unit === 'days') return t('dashboard.daysUnit', { value: formatNumber(value, { maximumFractionDigits: 1 }) });
    return formatNumber(value);
  };

  const indicators = result.data?.indicators ?? [];
  // The chart shows each indicator that has a target as the share of its target reached (100 % = on
  // target), so that counts, shares and days sit on one axis; the table holds the figures themselves.
  const targeted = indicators.filter((v) => v.target !== null && v.target !== 0 && v.value !== null && !v.suppressed);
  const chosenTrend = trendIndicator ?? targeted[0]?.indicator ?? indicators[0]?.indicator;
  const chosenBreakdown = breakdownIndicator ?? indicators[0]?.indicator;

  const periodOptions = YEARS.flatMap((y) => [
    { value: String(y), label: t('dashboard.year', { year: y }) },
    ...[1, 2, 3, 4].map((q) => ({ value: `${y}-Q${q}`, label: t('dashboard.quarter', { quarter: q, year: y }) })),
  ]);

  const columns: ColumnsType<IndicatorValue> = [
    { title: t('dashboard.colIndicator'), key: 'indicator', render: (_: unknown, v) => label(v.indicator) },
    { title: t('dashboard.colValue'), key: 'value', align: 'right', render: (_: unknown, v) => show(v) },
    {
      title: t('dashboard.colTarget'),
      key: 'target',
      align: 'right',
      responsive: ['sm'],
      render: (_: unknown, v) => (v.target === null ? t('dashboard.noTarget') : show(v, v.target)),
    },
    {
      title: t('dashboard.colGap'),
      key: 'gap',
      align: 'right',
      responsive: ['md'],
      render: (_: unknown, v) => (v.gap === null || v.suppressed ? t('dashboard.none') : `${v.gap > 0 ? '+' : ''}${show(v, v.gap)}`),
    },
    {
      title: t('dashboard.colStatus'),
      key: 'met',
      render: (_: unknown, v) =>
        v.met === null ? null : v.met ? <StatusTag tone="good">{t('dashboard.met')}</StatusTag> : <StatusTag tone="bad">{t('dashboard.notMet')}</StatusTag>,
    },
  ];

  const keyLabel = (row: BreakdownRow): string =>
    [
      row.key.province,
      row.key.commune ? t('dashboard.communeCode', { code: row.key.commune }) : undefined,
      row.key.sex ? (row.key.sex === 'F' ? t('terms.sex.F') : row.key.sex === 'M' ? t('terms.sex.M') : t('dashboard.sexUnknown')) : undefined,
      row.key.ageBand ? t(`dashboard.ageBand.${row.key.ageBand as '0-5' | '6-10' | '11-15' | 'unknown'}`) : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
  const breakdownColumns: ColumnsType<BreakdownRow> = [
    { title: t('dashboard.colKey'), key: 'key', render: (_: unknown, row) => keyLabel(row) },
    {
      title: t('dashboard.colValue'),
      key: 'value',
      align: 'right',
      render: (_: unknown, row) => show(row.indicators.find((v) => v.indicator === chosenBreakdown)),
    },
    {
      title: t('dashboard.colTarget'),
      key: 'target',
      align: 'right',
      responsive: ['sm'],
      render: (_: unknown, row) => {
        const v = row.indicators.find((x) => x.indicator === chosenBreakdown);
        return v?.target === null || v?.target === undefined ? t('dashboard.noTarget') : show(v, v.target);
      },
    },
    {
      title: t('dashboard.colGap'),
      key: 'gap',
      align: 'right',
      responsive: ['md'],
      render: (_: unknown, row) => {
        const v = row.indicators.find((x) => x.indicator === chosenBreakdown);
        return v?.gap === null || v?.gap === undefined || v.suppressed ? t('dashboard.none') : `${v.gap > 0 ? '+' : ''}${show(v, v.gap)}`;
      },
    },
  ];

  const barOption = useMemo(
    () => ({
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: number) => `${formatNumber(v, { maximumFractionDigits: 1 })} ${t('dashboard.percentUnit')}`,
      },
      grid: { left: 8, right: 24, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: 'value', axisLabel: { formatter: `{value} ${t('dashboard.percentUnit')}` } },
      yAxis: { type: 'category', inverse: true, data: targeted.map((v) => label(v.indicator)), axisLabel: { width: 260, overflow: 'truncate' } },
      series: [
        {
          name: t('dashboard.seriesReached'),
          type: 'bar',
          barMaxWidth: 28,
          data: targeted.map((v) => ({
            value: Math.round(((v.value ?? 0) / (v.target ?? 1)) * 1000) / 10,
            itemStyle: { color: v.met ? '#237804' : '#a8071a' },
          })),
          markLine: {
            symbol: 'none',
            silent: true,
            data: [{ xAxis: 100 }],
            lineStyle: { color: '#1f2937', type: 'dashed' },
            label: { formatter: t('dashboard.onTarget') },
          },
        },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- label depends on defs and the language
    [targeted, defs, i18n.language, t],
  );
  const trendPoints = trend.data?.points ?? [];
  const lineOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 16, bottom: 8, top: 24, containLabel: true },
      xAxis: { type: 'category', data: trendPoints.map((p) => t('dashboard.month', { month: Number(p.period.label.slice(5, 7)) })) },
      yAxis: { type: 'value' },
      series: [
        {
          name: chosenTrend ? label(chosenTrend) : '',
          type: 'line',
          data: trendPoints.map((p) => {
            const v = p.indicators.find((x) => x.indicator === chosenTrend);
            return v && !v.suppressed ? v.value : null;
          }),
          itemStyle: { color: '#1d4ed8' },
        },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- label depends on defs and the language
    [trendPoints, chosenTrend, defs, i18n.language, t],
  );

  const exportXlsx = async () => {
    setExporting(true);
    try {
      void message.success(t('dashboard.exported', { file: await workbook(query) }));
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setExporting(false);
    }
  };

  const indicatorOptions = (list: IndicatorValue[] | IndicatorDefinition[]) => list.map((v) => ({ value: v.indicator, label: label(v.indicator) }));
  const error = result.error ?? definitions.error;

  return (
    <Page title={t('dashboard.title')} intro={t('dashboard.intro')}>
      <Form layout="vertical" onFinish={() => setUnit(draftUnit.trim())}>
        <Row gutter={16}>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item label={t('dashboard.unit')} help={t('dashboard.unitHelp')} htmlFor="dashboard-unit">
              <Space.Compact style={{ width: '100%' }}>
                <Input id="dashboard-unit" value={draftUnit} onChange={(e) => setDraftUnit(e.target.value)} inputMode="numeric" maxLength={5} />
                <Button htmlType="submit">{t('dashboard.show')}</Button>
              </Space.Compact>
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item label={t('dashboard.period')} htmlFor="dashboard-period">
              <Select id="dashboard-period" value={period} onChange={setPeriod} options={periodOptions} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item label={t('dashboard.unitsList')} htmlFor="dashboard-units">
              <Select
                id="dashboard-units"
                value={oldUnits ? 'old' : 'current'}
                onChange={(v) => setOldUnits(v === 'old')}
                options={[
                  { value: 'current', label: t('dashboard.unitsCurrent') },
                  { value: 'old', label: t('dashboard.unitsOld') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Form.Item label={t('dashboard.breakdown')} htmlFor="dashboard-by">
              <Select
                id="dashboard-by"
                value={query.by}
                onChange={setBy}
                options={BREAKDOWNS.filter((b) => isProvince || !b.provinceOnly).map((b) => ({ value: b.value, label: t(`dashboard.${b.key}`) }))}
              />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {error && <Alert type="error" showIcon message={error instanceof ApiError ? error.message : String(error)} style={{ marginBottom: 16 }} />}
      {result.data && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
            <Typography.Text>
              {result.data.childrenOnRecord === null
                ? t('dashboard.suppressed')
                : t('dashboard.childrenOnRecord', { count: formatNumber(result.data.childrenOnRecord) })}
              {result.data.childPopulation && ` · ${t('dashboard.childPopulation', { count: formatNumber(result.data.childPopulation.value) })}`}
            </Typography.Text>
            <Space wrap>
              <Button onClick={() => void exportXlsx()} loading={exporting}>
                {t('dashboard.export')}
              </Button>
              {mayPublish && <PublishButton query={query} periodLabel={periodOptions.find((o) => o.value === period)?.label ?? period} />}
            </Space>
          </Space>
          <Table rowKey="indicator" size="small" columns={columns} dataSource={indicators} pagination={false} loading={result.isFetching} />
          {targeted.length > 0 && (
            <section aria-labelledby="dashboard-chart-title">
              <Typography.Title level={2} id="dashboard-chart-title" style={{ fontSize: 18 }}>
                {t('dashboard.chartTitle')}
              </Typography.Title>
              <EChart option={barOption} label={t('dashboard.chartLabel')} height={Math.max(160, targeted.length * 56 + 48)} />
            </section>
          )}
          {result.data.breakdown && chosenBreakdown && (
            <section aria-labelledby="dashboard-breakdown-title">
              <Typography.Title level={2} id="dashboard-breakdown-title" style={{ fontSize: 18 }}>
                {t('dashboard.breakdownTitle', { indicator: label(chosenBreakdown) })}
              </Typography.Title>
              <Form layout="vertical">
                <Form.Item label={t('dashboard.breakdownIndicator')} htmlFor="dashboard-breakdown-indicator" style={{ maxWidth: 480 }}>
                  <Select id="dashboard-breakdown-indicator" value={chosenBreakdown} onChange={setBreakdownIndicator} options={indicatorOptions(indicators)} />
                </Form.Item>
              </Form>
              <Table
                rowKey={(row) => keyLabel(row)}
                size="small"
                columns={breakdownColumns}
                dataSource={result.data.breakdown.filter((row) => row.indicators.some((v) => v.indicator === chosenBreakdown))}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
              />
            </section>
          )}
          {chosenTrend && (
            <section aria-labelledby="dashboard-trend-title">
              <Typography.Title level={2} id="dashboard-trend-title" style={{ fontSize: 18 }}>
                {t('dashboard.trendTitle', { year })}
              </Typography.Title>
              <Form layout="vertical">
                <Form.Item label={t('dashboard.trendIndicator')} htmlFor="dashboard-trend-indicator" style={{ maxWidth: 480 }}>
                  <Select id="dashboard-trend-indicator" value={chosenTrend} onChange={setTrendIndicator} options={indicatorOptions(indicators)} />
                </Form.Item>
              </Form>
              <EChart option={lineOption} label={t('dashboard.trendLabel', { indicator: label(chosenTrend), year })} height={260} />
            </section>
          )}
          {mayReadPublications && <PublishedFigures unit={unit} />}
        </Space>
      )}
    </Page>
  );
}
