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

export type ChildRecord = QuerySchemas['schemas']['ChildRecordDto'];
/** How often the record is read again while the read side has not caught up with this screen's write. */
export const CATCH_UP_INTERVAL_MS = 500;

/**
 * The child's record from the read side. `caughtUp`, after this screen wrote something, says whether
 * the record shows it yet (or the caller gave up waiting): until then, and while the record is in
 * reach, it is read again every CATCH_UP_INTERVAL_MS, each read with its purpose and audited like any.
 */
export function useChildRecord(childId: string, purpose: Purpose, caughtUp?: (record: ChildRecord) => boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['children', childId, 'record', purpose],
    queryFn: async () => unwrap(await api.query.GET('/api/v1/children/{childId}', { params: { path: { childId }, header: { 'X-Purpose': purpose } } })),
    refetchInterval: (query) =>
      caughtUp && query.state.status === 'success' && query.state.data && !caughtUp(query.state.data) ? CATCH_UP_INTERVAL_MS : false,
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
