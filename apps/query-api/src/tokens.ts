export const UNIT_RESOLVER = Symbol('UnitResolver');
export const ADMIN_UNITS = Symbol('AdministrativeUnits');
