// Architecture: only libs/event-store names its concrete adapters. Everything else (services,
// libraries, tests, tools, composition roots) holds the EventStore port and builds a store with the
// library's factories (createPostgresEventStore, createEventStoreDbEventStore), and asks the port's
// capabilities (`store.capabilities`) instead of `instanceof` on a concrete class.
// ARCHITECTURE_ROOT points the check at another checkout (to see it fail on older code).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = process.env['ARCHITECTURE_ROOT'] ?? path.resolve(__dirname, '..', '..');
const EVENT_STORE_LIB = path.join(root, 'libs', 'event-store');
const SKIP = new Set(['node_modules', 'dist', '.nx', '.data', 'coverage']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Classes of libs/event-store that implement the port: the concrete adapters. */
function concreteAdapters(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(path.join(EVENT_STORE_LIB, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/export\s+class\s+(\w+)[^{]*\bimplements\s+[^{]*\bEventStore\b/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Whether an import specifier names the event-store library (by alias, or by a relative path into it). */
function isEventStoreModule(file: string, specifier: string): boolean {
  if (specifier === '@childledger/event-store' || specifier.startsWith('@childledger/event-store/')) return true;
  if (!specifier.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), specifier);
  return target === EVENT_STORE_LIB || target.startsWith(EVENT_STORE_LIB + path.sep);
}

/** `file:line name` for each concrete adapter imported (or re-exported) from the event-store library. */
function violations(file: string, concrete: ReadonlySet<string>): string[] {
  const text = readFileSync(file, 'utf8');
  if (![...concrete].some((name) => text.includes(name))) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, name: string) =>
    found.push(`${path.relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${name}`);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && isEventStoreModule(file, node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          const imported = (el.propertyName ?? el.name).text;
          if (concrete.has(imported)) at(el, imported);
        }
      }
      // `import * as store from '@childledger/event-store'` then `store.PostgresEventStore`.
      if (bindings && ts.isNamespaceImport(bindings)) {
        const ns = bindings.name.text;
        for (const name of concrete) if (new RegExp(`\\b${ns}\\.${name}\\b`).test(text)) at(node, `${ns}.${name}`);
      }
    }
    if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      isEventStoreModule(file, node.moduleSpecifier.text)
    ) {
      if (node.exportClause && ts.isNamedExports(node.exportClause)) {
        for (const el of node.exportClause.elements) {
          const exported = (el.propertyName ?? el.name).text;
          if (concrete.has(exported)) at(el, exported);
        }
      }
    }
    // import('@childledger/event-store').PostgresEventStore, in types or at run time.
    if (ts.isImportTypeNode(node) && node.qualifier && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const name = ts.isIdentifier(node.qualifier) ? node.qualifier.text : node.qualifier.right.text;
      if (concrete.has(name) && isEventStoreModule(file, node.argument.literal.text)) at(node, name);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('no file outside libs/event-store imports a concrete event-store adapter', () => {
  const concrete = new Set(concreteAdapters());

  it('finds the adapters to look for', () => {
    expect([...concrete]).toEqual(expect.arrayContaining(['EventStoreDbEventStore', 'PostgresEventStore']));
  });

  it('holds for apps, libs and tools (composition roots and tests use the factories)', () => {
    const files = ['apps', 'libs', 'tools'].flatMap((dir) => sourceFiles(path.join(root, dir))).filter((file) => !file.startsWith(EVENT_STORE_LIB + path.sep));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((file) => violations(file, concrete))).toEqual([]);
  });
});
