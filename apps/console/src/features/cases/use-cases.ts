import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap, useApi } from '../../api';
import type { QuerySchemas } from '../../api';
import type { Purpose } from '../../purpose/purpose';

export type WorklistView = 'mine' | 'unassigned';
export type WorklistDue = 'overdue' | 'due_soon';
export type WorklistItem = QuerySchemas['schemas']['WorklistItemDto'];
export type CaseRecord = QuerySchemas['schemas']['CaseRecordDto'];
export const WORKLIST_PAGE_SIZE = 20;

/** One server page of the worklist (the counts come with it). */
export function useWorklist(view: WorklistView, due: WorklistDue | undefined, page: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['cases', 'worklist', view, due, page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.query.GET('/api/v1/cases/worklist', {
          params: { query: { view, due, limit: String(WORKLIST_PAGE_SIZE), offset: String((page - 1) * WORKLIST_PAGE_SIZE) } },
        }),
      ),
  });
}

/** The case as the query API shows it (typed), read with the stated purpose. */
export function useCaseRecord(caseId: string, purpose: Purpose, catchingUp = false) {
  const api = useApi();
  return useQuery({
    queryKey: ['cases', caseId, 'record', purpose],
    // After a command the projection may be a moment behind the registry: ask again until it has caught up.
    refetchInterval: catchingUp ? 1000 : false,
    queryFn: async () => unwrap(await api.query.GET('/api/v1/cases/{caseId}', { params: { path: { caseId }, header: { 'X-Purpose': purpose } } })),
  });
}

export interface PlannedInterventionView {
  interventionId: string;
  serviceType: string;
  provider: string;
  plannedStart: string;
  plannedEnd: string;
  deliveries: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The planned interventions of the registry's case state (its GET has no response schema yet): only well-formed entries. */
function interventionsOf(state: unknown): PlannedInterventionView[] {
  if (!isRecord(state) || !isRecord(state['interventions'])) return [];
  return Object.entries(state['interventions']).flatMap(([interventionId, v]) => {
    if (!isRecord(v)) return [];
    const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
    return [
      {
        interventionId,
        serviceType: str('serviceType'),
        provider: str('provider'),
        plannedStart: str('plannedStart'),
        plannedEnd: str('plannedEnd'),
        deliveries: typeof v['deliveries'] === 'number' ? v['deliveries'] : 0,
      },
    ];
  });
}

/** The registry's view of the case: its revision (the ETag, sent back as If-Match), its step (current even before the query API's projection catches up) and the planned interventions. */
export function useCaseRevision(caseId: string, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['cases', caseId, 'revision', purpose],
    queryFn: async () => {
      const result = await api.registry.GET('/api/v1/cases/{caseId}', { params: { path: { caseId }, header: { 'X-Purpose': purpose } } });
      const state = unwrap(result) as unknown;
      const status = isRecord(state) && typeof state['status'] === 'string' ? state['status'] : undefined;
      return { etag: result.response.headers.get('ETag') ?? undefined, status, interventions: interventionsOf(state) };
    },
  });
}

/** After a command: the worklist and this case's reads are stale. */
export function useCaseInvalidate(caseId?: string) {
  const queries = useQueryClient();
  return async () => {
    await queries.invalidateQueries({ queryKey: caseId ? ['cases', caseId] : ['cases'] });
    await queries.invalidateQueries({ queryKey: ['cases', 'worklist'] });
  };
}

/** Take a case (no assignee) or give it to someone, with the revision seen. */
export function useAssignCase() {
  const api = useApi();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async ({ caseId, assigneeId, etag }: { caseId: string; assigneeId?: string; etag?: string }) =>
      unwrap(
        await api.registry.POST('/api/v1/cases/{caseId}/assignment', {
          params: { path: { caseId }, header: etag ? { 'If-Match': etag } : {} },
          body: assigneeId ? { assigneeId } : {},
        }),
      ),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}
