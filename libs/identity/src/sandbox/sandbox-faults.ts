import { SeededRandom } from '@childledger/random';
/** How the sandbox misbehaves, like a real remote service. Probabilities per request, 0–1. */
export interface SandboxFaultSettings {
  /** Added to every data request, in milliseconds (uniform between half and all of it). */
  latencyMs: number;
  /** Requests per second per client before 429; 0 = unlimited. */
  rateLimitPerSecond: number;
  /** Seconds in the 429's `Retry-After`. */
  retryAfterSeconds: number;
  /** Share of requests answered 503. */
  errorRate: number;
  /** Share of requests that hang for `timeoutHangMs` before a 504. */
  timeoutRate: number;
  timeoutHangMs: number;
  /** Seed of the fault draws: the same seed gives the same sequence of faults. */
  seed: number;
}

export const DEFAULT_SANDBOX_FAULTS: SandboxFaultSettings = {
  latencyMs: 0,
  rateLimitPerSecond: 0,
  retryAfterSeconds: 1,
  errorRate: 0,
  timeoutRate: 0,
  timeoutHangMs: 30_000,
  seed: 1,
};

export type FaultDecision =
  { kind: 'ok'; delayMs: number } | { kind: 'rate_limited'; retryAfterSeconds: number } | { kind: 'error' } | { kind: 'hang'; ms: number };

/** A scripted fault for the next request(s): deterministic sequences in tests. */
export type ScriptedFault = 'ok' | 'error' | 'hang' | { rateLimited: number };

/**
 * Draws the fault of each request from a seeded generator, or takes it from a script. Settings can
 * be changed while running (tests turn failures on and off to open and close a client's circuit).
 */
export class SandboxFaults {
  private settings: SandboxFaultSettings;
  private rng: () => number;
  private readonly windows = new Map<string, { second: number; count: number }>();
  private readonly script: ScriptedFault[] = [];
  /** Requests seen per outcome, for tests and the sandbox's own metrics. */
  readonly counts = { ok: 0, rate_limited: 0, error: 0, hang: 0 };

  constructor(settings: Partial<SandboxFaultSettings> = {}) {
    this.settings = { ...DEFAULT_SANDBOX_FAULTS, ...settings };
    this.rng = new SeededRandom(this.settings.seed).asFunction();
  }

  get current(): SandboxFaultSettings {
    return this.settings;
  }

  configure(settings: Partial<SandboxFaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
    if (settings.seed !== undefined) this.rng = new SeededRandom(settings.seed).asFunction();
  }

  /** The next requests get these faults, in order, before the random draws resume. */
  enqueue(...faults: ScriptedFault[]): void {
    this.script.push(...faults);
  }

  next(clientId: string, now = Date.now()): FaultDecision {
    const decision = this.draw(clientId, now);
    this.counts[decision.kind]++;
    return decision;
  }

  private draw(clientId: string, now: number): FaultDecision {
    const s = this.settings;
    const scripted = this.script.shift();
    if (scripted !== undefined) {
      if (scripted === 'ok') return { kind: 'ok', delayMs: 0 };
      if (scripted === 'error') return { kind: 'error' };
      if (scripted === 'hang') return { kind: 'hang', ms: s.timeoutHangMs };
      return { kind: 'rate_limited', retryAfterSeconds: scripted.rateLimited };
    }
    if (s.rateLimitPerSecond > 0) {
      const second = Math.floor(now / 1000);
      const w = this.windows.get(clientId);
      if (!w || w.second !== second) this.windows.set(clientId, { second, count: 1 });
      else if (++w.count > s.rateLimitPerSecond) return { kind: 'rate_limited', retryAfterSeconds: s.retryAfterSeconds };
    }
    const r = this.rng();
    if (r < s.errorRate) return { kind: 'error' };
    if (r < s.errorRate + s.timeoutRate) return { kind: 'hang', ms: s.timeoutHangMs };
    return { kind: 'ok', delayMs: s.latencyMs > 0 ? s.latencyMs / 2 + this.rng() * (s.latencyMs / 2) : 0 };
  }
}
