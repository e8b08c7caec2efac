import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
// Importing it starts tracing when OTEL_* variables ask for it: none are set in tests.
import { appName } from './register';
import { redactUrlAttributes, tracingRequested } from './tracing';

describe('tracing configuration', () => {
  it('starts only when the standard variables name an exporter or an OTLP endpoint, and never when disabled', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console,none' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('removes query strings from a span’s URL attributes and blanks url.query', () => {
    const attributes: Record<string, unknown> = {
      'url.full': 'http://h/api/v1/children/search?q=Nguy%E1%BB%85n&purpose=case_work',
      'http.target': '/api/v1/children/search?q=x',
      'url.path': '/api/v1/children/search',
      'url.query': 'q=x',
      'http.route': '/api/v1/children/search',
    };
    const span = { attributes, setAttribute: (k: string, v: unknown) => (attributes[k] = v) };
    redactUrlAttributes(span as never);
    expect(attributes).toEqual({
      'url.full': 'http://h/api/v1/children/search',
      'http.target': '/api/v1/children/search',
      'url.path': '/api/v1/children/search',
      'url.query': '',
      'http.route': '/api/v1/children/search',
    });
  });
});

describe('the service name tracing defaults to', () => {
  it('is the built app’s package name beside main.js, else the app’s folder', () => {
    const image = mkdtempSync(path.join(tmpdir(), 'app-'));
    writeFileSync(path.join(image, 'package.json'), JSON.stringify({ name: '@childledger/projector' }));
    expect(appName(path.join(image, 'main.js'))).toBe('projector');
    expect(appName('/work/apps/registry-api/src/main.ts')).toBe('registry-api');
    expect(appName('/work/dist/apps/query-api/main.js')).toBe('query-api');
    expect(appName(undefined)).toBe('childledger');
  });
});
