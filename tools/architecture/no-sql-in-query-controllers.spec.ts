import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '../..');

/** SQL in a string: a statement (SELECT … FROM, INSERT INTO, UPDATE … SET, DELETE FROM, DDL) or a fragment only SQL writes. */
const SQL_IN_TEXT: readonly [string, RegExp][] = [
  ['SELECT … FROM', /\bselect\b[\s\S]*?\bfrom\b/i],
  ['INSERT INTO', /\binsert\s+into\b/i],
  ['UPDATE … SET', /\bupdate\s+\S+\s+set\b/i],
  ['DELETE FROM', /\bdelete\s+from\b/i],
  ['DDL', /\b(create|alter|drop|truncate)\s+(table|index|view|function)\b/i],
  ['ORDER BY … LIMIT', /\border\s+by\b[\s\S]*?\blimit\b/i],
  ['= ANY(…)', /=\s*any\s*\(/i],
  ['AT TIME ZONE', /\bat\s+time\s+zone\b/i],
  ['a cast (::type)', /::(text|date|timestamp|timestamptz|bigint|integer|int|jsonb|numeric)\b/i],
];

/** Calls that run SQL or build it: `x.query(…)`, `createQueryBuilder(…)`, `sql\`…\``. */
const SQL_CALLS = new Set(['query', 'createQueryBuilder']);

/** Modules a controller would reach the database through: the driver and the ORM. */
const DATABASE_MODULES = new Set(['pg', 'typeorm', '@nestjs/typeorm']);

export interface SqlFinding {
  line: number;
  what: string;
}

/** Where a TypeScript source holds SQL: string and template literals, query calls, and (`controller`) database imports. */
export function findSql(source: string, fileName: string, options: { controller?: boolean } = {}): SqlFinding[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const findings: SqlFinding[] = [];
  const at = (node: ts.Node, what: string) => findings.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, what });
  const checkText = (node: ts.Node, text: string) => {
    for (const [what, pattern] of SQL_IN_TEXT) if (pattern.test(text)) return at(node, `${what} in a string`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      // An import's module name is not SQL.
      if (!ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) checkText(node, node.text);
    } else if (ts.isTemplateExpression(node)) {
      checkText(node, [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ? '));
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name && SQL_CALLS.has(name)) at(node, `a ${name}(…) call`);
    } else if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'sql') {
      at(node, 'an sql`…` template');
    } else if (
      options.controller &&
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      DATABASE_MODULES.has(node.moduleSpecifier.text)
    ) {
      at(node, `an import of ${node.moduleSpecifier.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('architecture: the query API holds no SQL (queries live in libs/read-models behind named functions)', () => {
  it('finds SQL where it is: statements and fragments in strings and templates, query calls, database imports in controllers', () => {
    const probe = [
      "import type { Pool } from 'pg';",
      'const a = `SELECT c.case_id FROM rm_cases c WHERE c.case_id > ${x}`;',
      "const b = 'insert into read_audit (user_id) values ($1)';",
      'const c = `UPDATE rm_children SET status = $1`;',
      "const d = 'DELETE FROM rm_cases';",
      'const e = `${col} = ANY(${p}::text[])`;',
      'pool.query(a);',
      "repo.createQueryBuilder('c');",
      'const f = sql`select 1 from x`;',
      "const g = `to_char(${c} AT TIME ZONE 'UTC', 'YYYY')`;",
    ].join('\n');
    expect([...new Set(findSql(probe, 'probe.controller.ts', { controller: true }).map((f) => f.line))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('leaves messages, imports and other calls alone', () => {
    const probe = [
      "import { BadRequestException } from '@nestjs/common';",
      "throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });",
      "const m = 'select a purpose from the list: case_work, inspection';",
      'const n = `child ${id} not found`;',
      'this.readAudit.record(user, read);',
      'const q = req.query;',
    ].join('\n');
    // 'select a purpose from the list' reads as SQL to the pattern: it is the one line found.
    expect(findSql(probe, 'probe.controller.ts', { controller: true })).toEqual([{ line: 3, what: 'SELECT … FROM in a string' }]);
  });

  it('no file under apps/query-api/src contains SQL, and no controller imports the database driver or the ORM', () => {
    const dir = path.join(root, 'apps/query-api/src');
    const files = sourceFiles(dir);
    expect(files.length).toBeGreaterThan(5);
    const found = files.flatMap((full) => {
      const rel = path.relative(root, full);
      return findSql(readFileSync(full, 'utf8'), rel, { controller: rel.endsWith('.controller.ts') }).map((f) => `${rel}:${f.line}: ${f.what}`);
    });
    expect(found).toEqual([]);
  });
});
