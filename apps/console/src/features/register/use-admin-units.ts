import { useQuery } from '@tanstack/react-query';
import { RegistrySchemas, unwrap, useApi } from '../../api';

export type AdminUnit = RegistrySchemas['schemas']['AdminUnitDto'];
export type AdminUnitLookup = RegistrySchemas['schemas']['AdminUnitLookupDto'];

// Reference data: the same answer all day, so kept long.
const STALE = 60 * 60 * 1000;

/** The provinces in force on a day (`YYYY-MM-DD`); nothing is asked without a day. */
export function useProvinces(at: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['admin-units', 'provinces', at],
    enabled: !!at,
    staleTime: STALE,
    queryFn: async () => unwrap(await api.registry.GET('/api/v1/admin-units', { params: { query: { at: at ?? '' } } })).units,
  });
}

/** A province's communes in force on a day. */
export function useCommunes(at: string | undefined, province: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['admin-units', 'communes', at, province],
    enabled: !!at && !!province,
    staleTime: STALE,
    queryFn: async () => unwrap(await api.registry.GET('/api/v1/admin-units', { params: { query: { at: at ?? '', province } } })).units,
  });
}

/** What a commune code stands for on a day and today (an old code: the unit it went into). */
export function useUnitLookup(code: string | undefined, at: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['admin-units', 'lookup', code, at],
    enabled: !!code && /^\d{5}$/.test(code) && !!at,
    staleTime: STALE,
    retry: false,
    queryFn: async () => unwrap(await api.registry.GET('/api/v1/admin-units/{code}', { params: { path: { code: code ?? '' }, query: { at: at ?? '' } } })),
  });
}

/**
 * Whether a 2-digit code is or was a province code, from the provinces in force on a day: their
 * codes, the codes they are today and the old codes that went into them cover both lists.
 */
export function provinceCodeLookup(provinces: readonly AdminUnit[] | undefined): (code: string) => boolean {
  const known = new Set((provinces ?? []).flatMap((p) => [p.code, ...p.currentCodes, ...p.formerCodes]));
  // Until the list arrives the API has the last word; the console does not refuse on a guess.
  return (code) => known.size === 0 || known.has(code);
}

/** Lower case, no diacritics, đ as d: what an officer types without Vietnamese keyboard finds the unit. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gi, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}
