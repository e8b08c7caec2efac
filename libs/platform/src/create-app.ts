import { DynamicModule, INestApplication, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import type { PlatformConfig } from './config/platform.config';
import { httpMetricsMiddleware } from './metrics/http-metrics';
import { METRICS_REGISTRY } from './metrics/metrics';
import { MetricsServer } from './metrics/metrics-server';
import { parseTrustProxy } from './rate-limit/trust-proxy';
import { PLATFORM_CONFIG } from './tokens';

export interface CreateAppOptions {
  title: string;
  description?: string;
  /** Largest accepted JSON body; larger ones get 413. */
  bodyLimit?: string;
  /** Builds the 400 a failed validation throws (default: Nest's list of messages). */
  validationExceptionFactory?: ValidationPipeOptions['exceptionFactory'];
}

/** The application's PlatformConfig, when its module imports the PlatformModule. */
function platformConfigOf(app: INestApplication): PlatformConfig | undefined {
  try {
    return app.get<PlatformConfig>(PLATFORM_CONFIG, { strict: false });
  } catch {
    return undefined;
  }
}

/** The application's metrics registry and internal listener, when its module imports the PlatformModule. */
function metricsOf(app: INestApplication): { registry: Registry; server: MetricsServer } | undefined {
  try {
    return { registry: app.get<Registry>(METRICS_REGISTRY, { strict: false }), server: app.get(MetricsServer, { strict: false }) };
  } catch {
    return undefined;
  }
}

/**
 * A Nest HTTP application with the house defaults: pino logs, validation that names each bad
 * field and rejects unknown ones, an API under /api/v1 and its OpenAPI document at /docs.
 */
export async function createApp(module: DynamicModule, options: CreateAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // HTTP metrics by route template, counted before anything else can answer; the internal metrics listener (METRICS_PORT) starts at init.
  const metrics = metricsOf(app);
  if (metrics) {
    app.use(httpMetricsMiddleware(metrics.registry));
    metrics.server.enable();
  }
  // TRUST_PROXY: behind a load balancer, req.ip is the client's address from X-Forwarded-For (per-address limits, logs).
  const trustProxy = platformConfigOf(app)?.TRUST_PROXY;
  if (trustProxy !== undefined) app.set('trust proxy', parseTrustProxy(trustProxy));
  app.useBodyParser('json', { limit: options.bodyLimit ?? '256kb' });
  app.setGlobalPrefix('api/v1', { exclude: ['health/live', 'health/ready', 'docs', 'docs-json'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: options.validationExceptionFactory }),
  );
  // No enableShutdownHooks(): the process owner (start script or main.ts) closes apps on signals, in order.
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description ?? '')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
