import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AttemptEvent, HttpNationalPopulationRegistry, NationalPopulationRegistry } from '@childledger/identity';
import { METRICS_REGISTRY } from '@childledger/platform';
import { NATIONAL_REGISTRY } from './identity-adapter.service';

/** What one HTTP attempt to the national database came to: a fixed few label values, never an id. */
export function attemptOutcome(status: AttemptEvent['status']): string {
  if (status === 'timeout' || status === 'network') return status;
  if (status >= 200 && status < 300) return 'ok';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status >= 500 || status === 408) return 'server_error';
  return 'rejected';
}

const CIRCUIT_STATES = ['closed', 'open', 'half_open', 'isolated'] as const;

/**
 * The identity adapter's calls to the national population database, on the service's registry:
 * `childledger_national_registry_requests_total{operation,outcome}` and
 * `childledger_national_registry_request_duration_seconds{operation,outcome}` (one per HTTP
 * attempt, retries included; search, lookup, verify), the circuit breaker's state
 * (`childledger_national_registry_circuit_state{state}`, 1 for the current one) and how often it
 * opened (`childledger_national_registry_circuit_opened_total`).
 */
@Injectable()
export class NationalRegistryMetrics {
  constructor(@Inject(NATIONAL_REGISTRY) registry: NationalPopulationRegistry, @Inject(METRICS_REGISTRY) metrics: Registry) {
    if (!(registry instanceof HttpNationalPopulationRegistry)) return;
    const existing = <M>(name: string) => metrics.getSingleMetric(name) as M | undefined;
    const requests =
      existing<Counter<'operation' | 'outcome'>>('childledger_national_registry_requests_total') ??
      new Counter({
        name: 'childledger_national_registry_requests_total',
        help: 'HTTP attempts to the national population database (retries included), by operation and outcome',
        labelNames: ['operation', 'outcome'],
        registers: [metrics],
      });
    const duration =
      existing<Histogram<'operation' | 'outcome'>>('childledger_national_registry_request_duration_seconds') ??
      new Histogram({
        name: 'childledger_national_registry_request_duration_seconds',
        help: 'Duration of one HTTP attempt to the national population database (its token request included), by operation and outcome',
        labelNames: ['operation', 'outcome'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
        registers: [metrics],
      });
    const opened =
      existing<Counter>('childledger_national_registry_circuit_opened_total') ??
      new Counter({
        name: 'childledger_national_registry_circuit_opened_total',
        help: 'Times the circuit breaker to the national population database opened (consecutive failures reached the threshold)',
        registers: [metrics],
      });
    if (existing('childledger_national_registry_circuit_state') === undefined) {
      new Gauge({
        name: 'childledger_national_registry_circuit_state',
        help: 'State of the circuit breaker to the national population database (1 for the current state)',
        labelNames: ['state'],
        registers: [metrics],
        collect() {
          for (const state of CIRCUIT_STATES) this.set({ state }, registry.circuitState === state ? 1 : 0);
        },
      });
    }
    registry.onAttempt((e) => {
      const labels = { operation: e.operation, outcome: attemptOutcome(e.status) };
      requests.inc(labels);
      duration.observe(labels, e.durationMs / 1000);
    });
    registry.breaker.onBreak(() => opened.inc());
  }
}
