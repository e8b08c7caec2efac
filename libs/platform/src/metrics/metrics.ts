import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
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

/** Prometheus scrape endpoint. Like every endpoint it needs a token: an admin's (or a scraper's with that role). */
@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Roles('admin')
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
