import Bottleneck from 'bottleneck';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  IRetryBackoffContext,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { ResidentInput } from '@childledger/matching';
import type { NationalPopulationRegistry, RegistryCallContext, ResidentSearchCriteria, VerificationDetails } from './national-population-registry.port';
import { NationalRegistryRejectedError, NationalRegistryUnavailableError } from './national-registry.errors';

export interface HttpNationalRegistryOptions {
  /** Base URL of the data-sharing interface, e.g. `http://127.0.0.1:3090/api/v1`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A `Retry-After` longer than this is not waited for inside a call: the call fails and the caller retries later. */
  maxRetryAfterMs?: number;
  /** Consecutive failures (5xx, timeouts, network; not 429) that open the circuit. */
  breakerThreshold?: number;
  /** How long the circuit stays open before one trial call. */
  halfOpenAfterMs?: number;
  /** Client-side rate limit: calls per second (a reservoir refilled every second) and calls in flight. */
  ratePerSecond?: number;
  maxConcurrent?: number;
  /** Jitter source; seeded in tests. */
  random?: () => number;
}

const DEFAULTS = {
  timeoutMs: 2000,
  maxAttempts: 4,
  initialBackoffMs: 100,
  maxBackoffMs: 4000,
  maxRetryAfterMs: 10_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
  ratePerSecond: 50,
  maxConcurrent: 16,
};

/** One HTTP attempt's outcome, for metrics and tests. */
export interface AttemptEvent {
  operation: string;
  status: number | 'timeout' | 'network';
  durationMs: number;
}

/**
 * The national database over HTTP: OAuth2 client-credentials token (cached, renewed on expiry or
 * 401), then each call through a client-side rate limit (bottleneck), a per-attempt timeout, a
 * circuit breaker and retries with exponential back-off and jitter that wait as long as a 429's
 * `Retry-After` asks (cockatiel). Sends only the criteria it is given; personal IDs travel in bodies, never in URLs (which get logged).
 */
export class HttpNationalPopulationRegistry implements NationalPopulationRegistry {
  private readonly options: Required<Omit<HttpNationalRegistryOptions, 'random'>> & { random: () => number };
  private readonly limiter: Bottleneck;
  readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private token?: { value: string; expiresAt: number };
  private tokenRequest?: Promise<string>;
  private readonly attemptListeners: ((e: AttemptEvent) => void)[] = [];

  constructor(options: HttpNationalRegistryOptions) {
    this.options = {
      ...DEFAULTS,
      random: Math.random,
      ...stripUndefined(options),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      baseUrl: options.baseUrl.replace(/\/$/, ''),
    };
    const o = this.options;
    this.limiter = new Bottleneck({
      maxConcurrent: o.maxConcurrent,
      reservoir: o.ratePerSecond,
      reservoirRefreshAmount: o.ratePerSecond,
      reservoirRefreshInterval: 1000,
    });
    const transient = (err: Error) => err instanceof NationalRegistryUnavailableError || err instanceof TaskCancelledError;
    // 429 asks us to slow down; it is not a sign the service is broken.
    const breaks = (err: Error) => transient(err) && !(err instanceof NationalRegistryUnavailableError && err.status === 429);
    this.breaker = circuitBreaker(handleWhen(breaks), { halfOpenAfter: o.halfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerThreshold) });
    const backoff = new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
      const err = 'error' in context.result ? context.result.error : undefined;
      if (err instanceof NationalRegistryUnavailableError && err.retryAfterMs !== undefined) return err.retryAfterMs;
      const ceiling = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** (context.attempt - 1));
      return ceiling / 2 + o.random() * (ceiling / 2); // "equal jitter"
    });
    const retryable = (err: Error) =>
      transient(err) && !(err instanceof NationalRegistryUnavailableError && err.retryAfterMs !== undefined && err.retryAfterMs > o.maxRetryAfterMs);
    const retryPolicy = retry(handleWhen(retryable), { maxAttempts: o.maxAttempts - 1, backoff });
    this.policy = wrap(retryPolicy, this.breaker, timeout(o.timeoutMs, TimeoutStrategy.Aggressive));
  }

  onAttempt(listener: (e: AttemptEvent) => void): void {
    this.attemptListeners.push(listener);
  }

  get circuitState(): 'closed' | 'open' | 'half_open' | 'isolated' {
    return (
      { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half_open', [CircuitState.Isolated]: 'isolated' } as const
    )[this.breaker.state];
  }

  async search(criteria: ResidentSearchCriteria, context: RegistryCallContext): Promise<ResidentInput[]> {
    const body = await this.call<{ residents: ResidentInput[] }>('search', 'POST', '/residents/search', context, criteria);
    return body.residents;
  }

  async lookup(personalId: string, context: RegistryCallContext): Promise<ResidentInput | undefined> {
    const body = await this.call<{ resident: ResidentInput } | undefined>('lookup', 'POST', '/residents/lookup', context, { personalId }, true);
    return body?.resident;
  }

  async verify(personalId: string, details: VerificationDetails, context: RegistryCallContext): Promise<boolean> {
    const body = await this.call<{ match: boolean }>('verify', 'POST', '/residents/verify', context, { personalId, ...details });
    return body.match;
  }

  async close(): Promise<void> {
    await this.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }

  private async call<T>(operation: string, method: string, path: string, context: RegistryCallContext, body?: unknown, notFoundIsEmpty = false): Promise<T> {
    return this.policy.execute(({ signal }) =>
      this.limiter.schedule(async () => {
        const started = performance.now();
        let status: AttemptEvent['status'] = 'network';
        try {
          let res = await this.send(method, path, context, body, signal);
          if (res.status === 401) {
            // The token may have expired early (the service restarted with a new key): renew once.
            this.token = undefined;
            res = await this.send(method, path, context, body, signal);
          }
          status = res.status;
          if (res.ok) return (await res.json()) as T;
          if (res.status === 404 && notFoundIsEmpty) return undefined as T;
          await res.body?.cancel().catch(() => undefined);
          if (res.status === 429) {
            throw new NationalRegistryUnavailableError(`national database rate limit (${operation})`, 429, parseRetryAfter(res.headers.get('retry-after')));
          }
          if (res.status >= 500 || res.status === 408)
            throw new NationalRegistryUnavailableError(`national database answered ${res.status} (${operation})`, res.status);
          throw new NationalRegistryRejectedError(`national database refused the ${operation} (${res.status})`, res.status);
        } catch (err) {
          if (signal.aborted) status = 'timeout';
          if (err instanceof TypeError || (err instanceof Error && err.name === 'AbortError' && !signal.aborted)) {
            throw new NationalRegistryUnavailableError(`national database unreachable (${operation})`);
          }
          throw err;
        } finally {
          const event = { operation, status, durationMs: performance.now() - started };
          for (const l of this.attemptListeners) l(event);
        }
      }),
    );
  }

  private async send(method: string, path: string, context: RegistryCallContext, body: unknown, signal: AbortSignal): Promise<Response> {
    const token = await this.accessToken(signal);
    return fetch(`${this.options.baseUrl}${path}`, {
      method,
      signal,
      headers: {
        authorization: `Bearer ${token}`,
        'x-correlation-id': context.correlationId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async accessToken(signal: AbortSignal): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    this.tokenRequest ??= this.requestToken(signal).finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async requestToken(signal: AbortSignal): Promise<string> {
    const basic = Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString('base64');
    const res = await fetch(`${this.options.baseUrl}/oauth/token`, {
      method: 'POST',
      signal,
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      throw new NationalRegistryUnavailableError(`token endpoint answered ${res.status}`, res.status, parseRetryAfter(res.headers.get('retry-after')));
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new NationalRegistryRejectedError(`token request refused (${res.status}): check the client id and secret`, res.status);
    }
    const body = (await res.json()) as { access_token: string; expires_in: number };
    // Renew a little before expiry so that no call goes out with a token about to lapse.
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(1, body.expires_in - 30) * 1000 };
    return body.access_token;
  }
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function isCircuitOpen(err: unknown): boolean {
  return err instanceof BrokenCircuitError;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
