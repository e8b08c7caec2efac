import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { SubscriptionState, SubscriptionStatusBoard } from '@childledger/event-store';
import { Roles } from '../auth/auth.decorators';

export const METRICS_REGISTRY = Symbol('MetricsRegistry');

/** One registry per service, with Node's default metrics and the service name as a label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Lag and position of a subscription (projector, relay, sealer), for dashboards and alerts. */
export function subscriptionGauges(registry: Registry) {
  const get = <T extends string>(name: string, help: string, labelNames: T[]) =>
    (registry.getSingleMetric(name) as Gauge<T> | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    position: get('childledger_subscription_position', 'Global position of the last event a subscription applied', ['subscription']),
    lag: get('childledger_subscription_lag_events', 'Events committed but not yet applied by a subscription', ['subscription']),
  };
}

const STATES: SubscriptionState[] = ['running', 'retrying', 'restarting', 'standby', 'failed', 'stopped'];

/**
 * Dead letters and worker states of this process's subscriptions, read from the status board at
 * each scrape: `childledger_subscription_dead_letters_total` (alert on any increase),
 * `childledger_subscription_state` (1 for the state each subscription is in).
 */
export function registerSubscriptionStatusMetrics(registry: Registry, status: SubscriptionStatusBoard): Registry {
  new Counter({
    name: 'childledger_subscription_dead_letters_total',
    help: 'Events a subscription of this process dead-lettered (failed after its retries, or parked behind one) since it started',
    labelNames: ['subscription'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of status.all()) this.inc({ subscription: s.name }, s.deadLettered);
    },
  });
  new Counter({
    name: 'childledger_subscription_restarts_total',
    help: 'Restarts of a subscription worker after a crash since this process started',
    labelNames: ['subscription'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of status.all()) this.inc({ subscription: s.name }, s.restarts);
    },
  });
  new Gauge({
    name: 'childledger_subscription_state',
    help: 'State of each subscription worker of this process (1 for the current state)',
    labelNames: ['subscription', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of status.all()) for (const state of STATES) this.set({ subscription: s.name, state }, s.state === state ? 1 : 0);
    },
  });
  return registry;
}

/**
 * Prometheus scrape endpoint when METRICS_PORT is unset (npm start, tests): like every endpoint it
 * needs a token, an admin's. In production METRICS_PORT is set, this route does not exist, and
 * Prometheus scrapes the internal listener (metrics-server.ts) instead.
 */
@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Roles('admin')
  @Header('content-type', 'text/plain; version=0.0.4')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
