/**
 * What matching needs to know about administrative units. Injected so that the engine does not
 * depend on where the unit lists come from. Only the first two methods are required; without the
 * optional ones, places given as names (not codes) are ignored and province codes are compared as is.
 */
export interface AdminUnitLookup {
  /** Current commune codes for a commune code, old or current (a current code maps to itself). Empty if unknown. */
  currentCodesFor(oldCommuneCode: string): string[];
  /** The province code of a commune code (of its own era). */
  provinceOfCommune(code: string): string | undefined;
  /** Current province code for a province code, old or current. */
  currentProvinceFor?(provinceCode: string): string | undefined;
  /** Commune codes (old or current) whose name matches, optionally within a province (code, old or current). */
  communeCodesByName?(name: string, provinceCode?: string): string[];
  /** A province code (old or current) from a name. */
  provinceCodeByName?(name: string): string | undefined;
}

/** A lookup that knows nothing: codes are taken as current. */
export const IDENTITY_ADMIN_UNITS: AdminUnitLookup = {
  currentCodesFor: (code) => [code],
  provinceOfCommune: () => undefined,
};
