import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, unwrap, useApi } from '../../api';
import type { QuerySchemas } from '../../api';
import type { Purpose } from '../../purpose/purpose';

export type AuditEntry = QuerySchemas['schemas']['AuditEntryDto'];
export type ReadAuditEntry = QuerySchemas['schemas']['ReadAuditEntryDto'];
export type IntegrityStatus = QuerySchemas['schemas']['IntegrityStatusDto'];
export type ChildAsOf = QuerySchemas['schemas']['ChildAsOfDto'];
export const INSPECTION_PAGE_SIZE = 25;

export interface TrailFilters {
  childId?: string;
  actorId?: string;
  unit?: string;
  eventType?: string;
  from?: string;
  to?: string;
}

export interface ReadFilters {
  childId?: string;
  actorId?: string;
  readPurpose?: Purpose;
  from?: string;
  to?: string;
}

/** One server page of the audit trail (`cursor`: the previous page's nextCursor). */
export function useAuditTrail(filters: TrailFilters | undefined, cursor: string | undefined, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['audit', 'events', filters, cursor, purpose],
    enabled: filters !== undefined,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.query.GET('/api/v1/audit/events', {
          params: { query: { ...filters, cursor, limit: String(INSPECTION_PAGE_SIZE) }, header: { 'X-Purpose': purpose } },
        }),
      ),
  });
}

/** One server page of the read audit: who viewed a child, or what a user viewed. */
export function useReadAudit(filters: ReadFilters | undefined, cursor: string | undefined, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['audit', 'reads', filters, cursor, purpose],
    enabled: filters !== undefined,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.query.GET('/api/v1/audit/reads', {
          params: { query: { ...filters, cursor, limit: String(INSPECTION_PAGE_SIZE) }, header: { 'X-Purpose': purpose } },
        }),
      ),
  });
}

export function useChildAsOf(ask: { childId: string; date: string; time: 'effective' | 'recorded' } | undefined, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['inspection', 'as-of', ask, purpose],
    enabled: ask !== undefined,
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 1,
    queryFn: async () => {
      if (!ask) throw new Error('no record asked for');
      return unwrap(
        await api.query.GET('/api/v1/inspection/children/{childId}/as-of', {
          params: { path: { childId: ask.childId }, query: { date: ask.date, time: ask.time }, header: { 'X-Purpose': purpose } },
        }),
      );
    },
  });
}

export function useIntegrity() {
  const api = useApi();
  return useQuery({ queryKey: ['inspection', 'integrity'], queryFn: async () => unwrap(await api.query.GET('/api/v1/inspection/integrity')) });
}

/** Saves a blob under a file name (the browser's download). */
function save(blob: Blob, file: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  a.click();
  URL.revokeObjectURL(url);
}

async function failure(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const message = body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : '';
  return new ApiError(response.status, [], undefined, message || `HTTP ${response.status}`);
}

/** The exports and the proof, as downloads (the API streams the CSV; the export itself is recorded in the read audit). */
export function useInspectionDownloads(purpose: Purpose) {
  const api = useApi();
  const header = { 'X-Purpose': purpose };
  return {
    async trailCsv(filters: TrailFilters): Promise<string> {
      const { data, response } = await api.query.GET('/api/v1/audit/events.csv', { params: { query: filters, header }, parseAs: 'blob' });
      if (!response.ok || !(data instanceof Blob)) throw await failure(response);
      const file = 'nhat-ky-thao-tac.csv';
      save(data, file);
      return file;
    },
    async readsCsv(filters: ReadFilters): Promise<string> {
      const { data, response } = await api.query.GET('/api/v1/audit/reads.csv', { params: { query: filters, header }, parseAs: 'blob' });
      if (!response.ok || !(data instanceof Blob)) throw await failure(response);
      const file = 'nhat-ky-truy-cap.csv';
      save(data, file);
      return file;
    },
    async proof(eventId: string): Promise<string> {
      const { data, response } = await api.query.GET('/api/v1/inspection/proofs/{eventId}', {
        params: { path: { eventId }, header },
        parseAs: 'blob',
      });
      if (!response.ok || !(data instanceof Blob)) throw await failure(response);
      const file = `bang-chung-${eventId}.json`;
      save(data, file);
      return file;
    },
  };
}
