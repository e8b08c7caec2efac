import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap, useApi } from '../../api';
import type { GatewaySchemas, QuerySchemas } from '../../api';

export type ReferenceKind = 'targets' | 'populations';
export type ReferencePreview = QuerySchemas['schemas']['ReferencePreviewDto'];
export type ReferencePreviewRow = QuerySchemas['schemas']['ReferencePreviewRowDto'];
export type ReferenceProblem = QuerySchemas['schemas']['ReferenceRowProblemDto'];
export type ReferenceVersion = QuerySchemas['schemas']['ReferenceVersionDto'];
export type ReferenceValue = QuerySchemas['schemas']['ReferenceValueDto'];
export type Partner = GatewaySchemas['schemas']['PartnerRecordDto'];
export type PartnerAgreementBody = GatewaySchemas['schemas']['PartnerAgreementBodyDto'];
export type FieldCatalogue = GatewaySchemas['schemas']['PartnerFieldCatalogueDto'][];

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The API reads the workbook itself (first sheet); any other file is sent as CSV. */
const contentTypeOf = (file: File): 'text/csv' | typeof XLSX => (/\.xlsx$/i.test(file.name) ? XLSX : 'text/csv');

/** The file as the body of a preview or an upload (the typed client would serialise a string). */
const fileBody = (file: File) => ({
  headers: { 'Content-Type': contentTypeOf(file) },
  body: '' as never,
  bodySerializer: () => file,
});

/** What uploading this file would do, row by row; the API stores nothing. */
export function usePreview(kind: ReferenceKind) {
  const api = useApi();
  return useMutation({
    mutationFn: async (file: File): Promise<ReferencePreview> =>
      kind === 'targets'
        ? unwrap(await api.query.POST('/api/v1/indicators/targets/preview', { params: { query: { fileName: file.name } }, ...fileBody(file) }))
        : unwrap(await api.query.POST('/api/v1/indicators/populations/preview', { params: { query: { fileName: file.name } }, ...fileBody(file) })),
  });
}

/** Uploads the file as a new version (all rows or none); the version list and the indicators are read again. */
export function useUpload(kind: ReferenceKind) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) =>
      kind === 'targets'
        ? unwrap(await api.query.POST('/api/v1/indicators/targets', { params: { query: { fileName: file.name } }, ...fileBody(file) }))
        : unwrap(await api.query.POST('/api/v1/indicators/populations', { params: { query: { fileName: file.name } }, ...fileBody(file) })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['reference-versions', kind] });
      void client.invalidateQueries({ queryKey: ['indicators'] });
    },
  });
}

export const VERSIONS_PAGE = 10;

/** One page of the versions, newest first. */
export function useVersions(kind: ReferenceKind, page: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['reference-versions', kind, page],
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const query = { limit: String(VERSIONS_PAGE), offset: String((page - 1) * VERSIONS_PAGE) };
      return kind === 'targets'
        ? unwrap(await api.query.GET('/api/v1/indicators/targets/versions', { params: { query } }))
        : unwrap(await api.query.GET('/api/v1/indicators/populations/versions', { params: { query } }));
    },
  });
}

export const ROWS_PAGE = 20;

/** One page of a version's rows. */
export function useVersionRows(kind: ReferenceKind, version: number | null, page: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['reference-versions', kind, 'rows', version, page],
    enabled: version !== null,
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const params = { path: { version: String(version) }, query: { limit: String(ROWS_PAGE), offset: String((page - 1) * ROWS_PAGE) } };
      return kind === 'targets'
        ? unwrap(await api.query.GET('/api/v1/indicators/targets/versions/{version}', { params }))
        : unwrap(await api.query.GET('/api/v1/indicators/populations/versions/{version}', { params }));
    },
  });
}

export function usePartners() {
  const api = useApi();
  return useQuery({ queryKey: ['partners'], queryFn: async () => unwrap(await api.gateway.GET('/api/v1/partners')) });
}

/** The fields an agreement may name, per event type. */
export function useFieldCatalogue() {
  const api = useApi();
  return useQuery({ queryKey: ['partner-fields'], staleTime: Infinity, queryFn: async () => unwrap(await api.gateway.GET('/api/v1/partner-fields')) });
}

export function useSaveAgreement() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: PartnerAgreementBody }) =>
      unwrap(await api.gateway.PUT('/api/v1/partners/{id}', { params: { path: { id } }, body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['partners'] }),
  });
}

export function useRotateSecret() {
  const api = useApi();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.gateway.POST('/api/v1/partners/{id}/client-secret', { params: { path: { id } } })),
  });
}
