import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@childledger/platform';
import { buildInclusionProof, checkLogIntegrity, databaseSealKeys, InclusionProof, IntegrityKeys, IntegrityStatus } from '@childledger/trust';

/** The keys the operator gave (CHILDLEDGER_TRUSTED_SEAL_KEYS), read and checked at boot; undefined: the keys log_seal_keys lists. */
export const TRUSTED_SEAL_KEYS = Symbol('TrustedSealKeys');

/** How long one check's answer is served before the next request runs the verifier again. */
export const INTEGRITY_CHECK_MAX_AGE_MS = 30_000;

/**
 * The log's integrity as verify-log reports it, for the inspection screen. The verifier reads the
 * whole log, so one check runs at a time per process; an answer younger than 30 seconds is served as
 * it is, an older one is served while the next check runs in the background (only the first caller
 * ever waits); `checkedAt` says when it ran.
 */
@Injectable()
export class IntegrityService {
  private last?: IntegrityStatus;
  private lastAt = 0;
  private running?: Promise<IntegrityStatus>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(TRUSTED_SEAL_KEYS) private readonly configured: IntegrityKeys | undefined,
  ) {}

  async status(): Promise<IntegrityStatus> {
    const fresh = this.last && Date.now() - this.lastAt < INTEGRITY_CHECK_MAX_AGE_MS;
    if (this.last && fresh) return this.last;
    const check = this.check();
    // An older answer is served at once while the next check runs (it reads the whole log: about
    // 30,000 events a second here, minutes for millions); `checkedAt` says how old it is.
    if (this.last) {
      check.catch(() => undefined);
      return this.last;
    }
    return check;
  }

  private check(): Promise<IntegrityStatus> {
    this.running ??= (async () => {
      try {
        const status = await checkLogIntegrity(this.pool, this.configured ?? (await databaseSealKeys(this.pool)));
        // "No checkpoint yet" is not kept: the sealer's first checkpoint comes within seconds of the first events.
        if (status.status !== 'no_checkpoint') {
          this.last = status;
          this.lastAt = Date.now();
        }
        return status;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The inclusion proof of one event (docs/trust.md); ProofNotAvailableError when it is unknown or not sealed yet. */
  proof(eventId: string): Promise<InclusionProof> {
    return buildInclusionProof(this.pool, eventId);
  }

  /** Forgets the last answer: the next status() runs the verifier (tests; an operator after a repair). */
  forget(): void {
    this.last = undefined;
    this.lastAt = 0;
  }
}
