import { useQueries, useQuery } from '@tanstack/react-query';
import { unwrap, useApi } from '../api';

// Reference data: the same answer all day, so kept long.
const STALE = 60 * 60 * 1000;

/** Today in Vietnam, `YYYY-MM-DD`: the day whose list of units the console names units by. */
export function todayInVietnam(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * The names of units by their codes (2 digits: a province, 5: a commune), as the registry's
 * administrative-unit list writes them: "Phường Ba Đình", "Thành phố Hà Nội". A code of the list
 * before 2025-07-01 is named as that old unit. Until an answer arrives, or for a code no list has, the
 * map has no entry and the caller shows the code.
 */
export function useUnitNames(codes: readonly string[]): Map<string, string> {
  const api = useApi();
  const at = todayInVietnam();
  const communes = [...new Set(codes.filter((c) => /^\d{5}$/.test(c)))];
  const wantsProvinces = codes.some((c) => /^\d{2}$/.test(c));
  const provinces = useQuery({
    queryKey: ['admin-units', 'provinces', at],
    enabled: wantsProvinces,
    staleTime: STALE,
    queryFn: async () => unwrap(await api.registry.GET('/api/v1/admin-units', { params: { query: { at } } })).units,
  });
  const lookups = useQueries({
    queries: communes.map((code) => ({
      queryKey: ['admin-units', 'lookup', code, at],
      staleTime: STALE,
      retry: false,
      queryFn: async () => unwrap(await api.registry.GET('/api/v1/admin-units/{code}', { params: { path: { code }, query: { at } } })),
    })),
  });
  const names = new Map<string, string>();
  for (const p of provinces.data ?? []) names.set(p.code, p.fullName);
  communes.forEach((code, i) => {
    const found = lookups[i]?.data;
    const unit = found?.unit ?? found?.oldUnit;
    if (unit) names.set(code, unit.districtName ? `${unit.fullName}, ${unit.districtName}` : unit.fullName);
  });
  return names;
}

/** "Phường Ba Đình (00004)" once the name is known; the code alone before. */
export function unitWithCode(names: Map<string, string>, code: string): string {
  const name = names.get(code);
  return name ? `${name} (${code})` : code;
}
