export const SEAL_KEY = Symbol('SealKey');
export const LOG_SEALER = Symbol('LogSealer');
export const ADMIN_UNITS = Symbol('AdministrativeUnits');
