import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { unwrap, useApi } from '../../api';
import type { QuerySchemas } from '../../api';
import type { Purpose } from '../../purpose/purpose';

export type ChildSearchFilters = {
  name?: string;
  dateOfBirth?: string;
  birthYear?: string;
  communeCode?: string;
  personalId?: string;
  nationalIdState?: 'none' | 'linked' | 'review_requested' | 'no_record_found';
  group?: string;
};
export type ChildSearchResult = QuerySchemas['schemas']['ChildSearchResultDto'];
export const SEARCH_PAGE_SIZE = 20;

/** One page of a search (the server pages: `after` is the previous page's `next`). */
export function useChildSearch(filters: ChildSearchFilters | undefined, after: string | undefined, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['children', 'search', filters, after, purpose],
    enabled: filters !== undefined,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.query.GET('/api/v1/children/search', {
          params: { query: { ...filters, limit: String(SEARCH_PAGE_SIZE), after }, header: { 'X-Purpose': purpose } },
        }),
      ),
  });
}

export function useChildRecord(childId: string, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['children', childId, 'record', purpose],
    queryFn: async () => unwrap(await api.query.GET('/api/v1/children/{childId}', { params: { path: { childId }, header: { 'X-Purpose': purpose } } })),
  });
}

export function useChildTimeline(childId: string, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['children', childId, 'timeline', purpose],
    queryFn: async () =>
      unwrap(await api.query.GET('/api/v1/children/{childId}/timeline', { params: { path: { childId }, header: { 'X-Purpose': purpose } } })),
  });
}

export function useChildCases(childId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['children', childId, 'cases'],
    queryFn: async () => unwrap(await api.query.GET('/api/v1/children/{childId}/cases', { params: { path: { childId } } })),
  });
}
