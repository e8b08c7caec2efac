import type { ResidentInput } from '@childledger/matching';
import type { RegistryOperation } from '../adapter/identity.events';
import type { NationalPopulationRegistry, RegistryCallContext, ResidentSearchCriteria, VerificationDetails } from './national-population-registry.port';
import { failureKind } from './national-registry.errors';

export interface RecordedCall {
  operation: RegistryOperation;
  fieldsSent: string[];
  outcome: string;
  candidateCount?: number;
  durationMs: number;
  calledAt: string;
}

/** Wraps the port and notes every call (fields sent, outcome, duration) for the audit trail. */
export class AuditedNationalRegistry implements NationalPopulationRegistry {
  readonly calls: RecordedCall[] = [];

  constructor(
    private readonly inner: NationalPopulationRegistry,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  search(criteria: ResidentSearchCriteria, context: RegistryCallContext): Promise<ResidentInput[]> {
    return this.record(
      'search',
      Object.keys(criteria),
      () => this.inner.search(criteria, context),
      (r) => ({ outcome: 'candidates', candidateCount: r.length }),
    );
  }

  lookup(personalId: string, context: RegistryCallContext): Promise<ResidentInput | undefined> {
    return this.record(
      'lookup',
      ['personalId'],
      () => this.inner.lookup(personalId, context),
      (r) => ({ outcome: r ? 'found' : 'not_found' }),
    );
  }

  verify(personalId: string, details: VerificationDetails, context: RegistryCallContext): Promise<boolean> {
    return this.record(
      'verify',
      ['personalId', ...Object.keys(details)],
      () => this.inner.verify(personalId, details, context),
      (r) => ({ outcome: r ? 'verified' : 'not_verified' }),
    );
  }

  private async record<T>(
    operation: RegistryOperation,
    fieldsSent: string[],
    call: () => Promise<T>,
    describe: (r: T) => { outcome: string; candidateCount?: number },
  ): Promise<T> {
    const calledAt = this.clock().toISOString();
    const started = performance.now();
    try {
      const result = await call();
      this.calls.push({ operation, fieldsSent, ...describe(result), durationMs: Math.round(performance.now() - started), calledAt });
      return result;
    } catch (err) {
      this.calls.push({ operation, fieldsSent, outcome: failureKind(err), durationMs: Math.round(performance.now() - started), calledAt });
      throw err;
    }
  }
}
