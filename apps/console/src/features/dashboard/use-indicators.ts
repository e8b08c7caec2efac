import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, unwrap, useApi } from '../../api';
import type { QuerySchemas } from '../../api';

export type IndicatorResult = QuerySchemas['schemas']['IndicatorResponseDto'];
export type IndicatorValue = QuerySchemas['schemas']['IndicatorValueDto'];
export type IndicatorDefinition = QuerySchemas['schemas']['IndicatorDefinitionDto'];
export type BreakdownRow = QuerySchemas['schemas']['BreakdownRowDto'];
export type Breakdown = 'none' | 'commune' | 'sex' | 'ageBand' | 'commune,sex';

export interface IndicatorQuery {
  unit: string;
  /** 2026, 2026-Q1 or 2026-01. */
  period: string;
  /** Which unit list: a date before 2025-07-01 gives the pre-reform units. */
  unitsOn?: string;
  by: Breakdown;
}

/** Every indicator in report order, with its unit, target direction and labels in both languages. */
export function useIndicatorDefinitions() {
  const api = useApi();
  return useQuery({
    queryKey: ['indicators', 'definitions'],
    queryFn: async () => unwrap(await api.query.GET('/api/v1/indicators/definitions')),
    staleTime: Infinity,
  });
}

/** One period's indicators for a unit, with the chosen breakdown. */
export function useIndicators(q: IndicatorQuery | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['indicators', q],
    enabled: q !== null,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.query.GET('/api/v1/indicators', {
          params: { query: { unit: q!.unit, period: q!.period, unitsOn: q!.unitsOn, by: q!.by === 'none' ? undefined : q!.by } },
        }),
      ),
  });
}

/** The months of a year, one point each (the trend chart). */
export function useMonthlyTrend(unit: string | null, year: number, unitsOn?: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['indicators', 'trend', unit, year, unitsOn],
    enabled: unit !== null,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.query.GET('/api/v1/indicators', {
          params: { query: { unit: unit!, series: 'month', from: `${year}-01`, to: `${year}-12`, unitsOn } },
        }),
      ).series,
  });
}

/** The report as a workbook (Vietnamese headers), saved as a download; returns the file name. */
export function useIndicatorWorkbook() {
  const api = useApi();
  return async (q: IndicatorQuery): Promise<string> => {
    const { data, response } = await api.query.GET('/api/v1/indicators', {
      params: { query: { unit: q.unit, period: q.period, unitsOn: q.unitsOn, by: q.by === 'none' ? undefined : q.by, format: 'xlsx' } },
      parseAs: 'blob',
    });
    if (!response.ok || !(data instanceof Blob)) {
      const body: unknown = await response.json().catch(() => undefined);
      const message =
        body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : '';
      throw new ApiError(response.status, [], undefined, message || `HTTP ${response.status}`);
    }
    const file = `chi-tieu-${q.unit}-${q.period}.xlsx`;
    const url = URL.createObjectURL(data);
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    URL.revokeObjectURL(url);
    return file;
  };
}
