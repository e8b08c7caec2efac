import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

// The SDK and the instrumentations are loaded only when tracing starts: a process without OTEL_*
// variables (tests, the CLI, npm start) never pays for them.
/* eslint-disable @typescript-eslint/no-require-imports */

/**
 * Whether the standard OpenTelemetry variables ask for traces: `OTEL_TRACES_EXPORTER` naming an
 * exporter other than `none`, or an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); never with `OTEL_SDK_DISABLED=true`. Unset: no SDK, no
 * instrumentation, nothing exported.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = env['OTEL_TRACES_EXPORTER']?.trim();
  if (exporters) return exporters.split(',').some((e) => e.trim() !== '' && e.trim() !== 'none');
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/** Span attributes that carry a request's URL: its query string (purposes, search terms such as a name) never leaves the process. */
const URL_ATTRIBUTES = ['http.target', 'http.url', 'url.full'];

/** Removes the query string from a span's URL attributes (and blanks `url.query`). */
export function redactUrlAttributes(span: Span): void {
  const attributes = (span as unknown as { attributes?: Record<string, unknown> }).attributes ?? {};
  for (const key of URL_ATTRIBUTES) {
    const value = attributes[key];
    if (typeof value === 'string' && value.includes('?')) span.setAttribute(key, value.slice(0, value.indexOf('?')));
  }
  if (typeof attributes['url.query'] === 'string') span.setAttribute('url.query', '');
}

/**
 * First of the span processors: strips query strings from every span's URL attributes as it
 * starts, whichever instrumentation set them (the NestJS one records the request's URL too).
 */
export class UrlRedactingSpanProcessor implements SpanProcessor {
  onStart(span: Span): void {
    redactUrlAttributes(span);
  }
  onEnd(): void {
    // Nothing to do once a span ends: the exporters' processors that follow send it.
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The exporters OTEL_TRACES_EXPORTER and the OTLP variables name, as the SDK builds them on its own (its helper, not exported by the package's index). */
function spanProcessorsFromEnv(): SpanProcessor[] {
  const utils = require('@opentelemetry/sdk-node/build/src/utils') as { getSpanProcessorsFromEnv(): SpanProcessor[] };
  return utils.getSpanProcessorsFromEnv();
}

/** HTTP server and client, Express, NestJS, pg, kafkajs and fetch (undici); no health probe or metrics scrape is traced. */
export function tracingInstrumentations() {
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { NestInstrumentation } = require('@opentelemetry/instrumentation-nestjs-core') as typeof import('@opentelemetry/instrumentation-nestjs-core');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) => /^\/(health\/|metrics(\?|$))/.test(req.url ?? ''),
      requestHook: (span) => redactUrlAttributes(span),
    }),
    new ExpressInstrumentation(),
    new NestInstrumentation(),
    // Statements with their placeholders only: values are never recorded (enhancedDatabaseReporting stays off).
    new PgInstrumentation({ requireParentSpan: true }),
    new KafkaJsInstrumentation(),
    new UndiciInstrumentation({ requestHook: (span) => redactUrlAttributes(span) }),
  ];
}

let running: { sdk: NodeSDK; instrumentations: ReturnType<typeof tracingInstrumentations> } | undefined;

export interface StartTracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests: where spans go instead of the exporter the variables name (the variables are then not needed). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Starts the OpenTelemetry SDK for this process when the standard variables ask for it (exporter,
 * endpoint, headers, sampler, resource attributes: all `OTEL_*`, read by the SDK). Must run before
 * the modules it instruments are loaded: each service's main.ts imports `tracing/register` first.
 * Returns whether it started.
 */
export function startTracing(serviceName: string, options: StartTracingOptions = {}): boolean {
  const env = options.env ?? process.env;
  if (running || (!options.spanProcessors && !tracingRequested(env))) return false;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const instrumentations = tracingInstrumentations();
  const sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME']?.trim() || serviceName,
    instrumentations,
    // Traces only: metrics are Prometheus's (METRICS_PORT), logs are JSON lines on stdout; without
    // these the SDK would also export both over OTLP by default.
    metricReaders: [],
    logRecordProcessors: [],
    spanProcessors: [new UrlRedactingSpanProcessor(), ...(options.spanProcessors ?? spanProcessorsFromEnv())],
  });
  sdk.start();
  running = { sdk, instrumentations };
  return true;
}

/** Whether this process traces (the event store then carries trace context into event metadata). */
export function tracingStarted(): boolean {
  return running !== undefined;
}

/** Flushes and stops the SDK (at shutdown: spans still batched are exported). */
export async function stopTracing(): Promise<void> {
  const stopping = running;
  running = undefined;
  if (!stopping) return;
  // The SDK's shutdown flushes and stops the providers; the instrumentations' patches (and the fetch
  // subscription) would stay in the process: undone here.
  for (const i of stopping.instrumentations) i.disable();
  await stopping.sdk.shutdown();
}
