import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, useApi } from '../../api';
import type { QuerySchemas } from '../../api';
import type { IndicatorQuery } from './use-indicators';

export type Publication = QuerySchemas['schemas']['PublicationDto'];
export type PublicationSummary = QuerySchemas['schemas']['PublicationSummaryDto'];
export type Recompute = QuerySchemas['schemas']['RecomputeDto'];

/** The latest publications of a unit (newest first). */
export function usePublications(unit: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['indicator-publications', unit],
    queryFn: async () => unwrap(await api.query.GET('/api/v1/indicators/publications', { params: { query: { unit, limit: '20' } } })),
  });
}

/** Freezes the figures of this query as the API computes them now; the list is read again. */
export function usePublish() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (p: { query: IndicatorQuery; title: string; note?: string }): Promise<Publication> =>
      unwrap(
        await api.query.POST('/api/v1/indicators/publications', {
          body: {
            unit: p.query.unit,
            period: p.query.period,
            unitsOn: p.query.unitsOn,
            by: p.query.by === 'none' ? undefined : p.query.by,
            title: p.title,
            note: p.note || undefined,
          },
        }),
      ),
    onSuccess: (p) => void client.invalidateQueries({ queryKey: ['indicator-publications', p.unitCode] }),
  });
}

/** Recomputes a publication from the log as it stood when published; nothing is written. */
export function useRecompute() {
  const api = useApi();
  return useMutation({
    mutationFn: async (id: string): Promise<Recompute> =>
      unwrap(await api.query.POST('/api/v1/indicators/publications/{id}/recompute', { params: { path: { id } } })),
  });
}

/** A publication's report workbook (stating when it was published and its log position), saved as a download. */
export function usePublicationWorkbook() {
  const api = useApi();
  return async (p: PublicationSummary): Promise<string> => {
    const { data, response } = await api.query.GET('/api/v1/indicators/publications/{id}', {
      params: { path: { id: p.id }, query: { format: 'xlsx' } },
      parseAs: 'blob',
    });
    if (!response.ok || !(data instanceof Blob)) throw new ApiError(response.status, [], undefined, `HTTP ${response.status}`);
    const file = `chi-tieu-${p.unitCode}-${p.periodLabel}-cong-bo-${p.logPositionNumber}.xlsx`;
    const url = URL.createObjectURL(data);
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    URL.revokeObjectURL(url);
    return file;
  };
}
