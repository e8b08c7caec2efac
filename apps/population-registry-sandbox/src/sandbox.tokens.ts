export const SANDBOX_STORE = Symbol('SandboxResidentsStore');
export const SANDBOX_TOKENS = Symbol('SandboxTokenService');
export const SANDBOX_FAULTS = Symbol('SandboxFaults');
