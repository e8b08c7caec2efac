import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';

/** The national database could not answer now; trying again later may work (429, 5xx, timeout, network). */
export class NationalRegistryUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** From `Retry-After`, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'NationalRegistryUnavailableError';
  }
}

/** The national database refused the request (4xx other than 429): retrying the same request is pointless. */
export class NationalRegistryRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'NationalRegistryRejectedError';
  }
}

/** A short, personal-data-free word for an outcome, as the audit trail records it. */
export function failureKind(err: unknown): string {
  if (err instanceof NationalRegistryUnavailableError) return err.status === 429 ? 'rate_limited' : err.status ? `unavailable_${err.status}` : 'unavailable';
  if (err instanceof NationalRegistryRejectedError) return `rejected_${err.status}`;
  if (err instanceof BrokenCircuitError) return 'circuit_open';
  if (err instanceof TaskCancelledError) return 'timeout';
  return 'error';
}
