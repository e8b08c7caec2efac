// The requests of docs/http/*.http, read the way REST Client reads them, so a test can hold each one
// against the OpenAPI document of the service it calls (tools/start.e2e-spec.ts does, on the
// platform `npm start` runs): a renamed route or query parameter fails the test until the example
// is corrected.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const HTTP_EXAMPLES_DIR = path.resolve(__dirname, '../../docs/http');

export interface HttpExample {
  file: string;
  line: number;
  method: string;
  /** The variable the URL starts from (`registry`, `issuer`, ...). */
  base: string;
  /** The path after the base, with every `{{...}}` reference replaced by `{}`. */
  path: string;
  query: string[];
}

const REQUEST = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \{\{(\w+)\}\}(\S*)/;

export function parseHttpExamples(file: string, text: string): { variables: Record<string, string>; requests: HttpExample[] } {
  const variables: Record<string, string> = {};
  const requests: HttpExample[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const variable = /^@(\w+)\s*=\s*(.+)$/.exec(line);
    if (variable) variables[variable[1]!] = variable[2]!.trim();
    const request = REQUEST.exec(line);
    if (!request) return;
    const [pathPart, queryPart = ''] = request[3]!.replace(/\{\{[^}]+\}\}/g, '{}').split('?');
    const query = queryPart
      .split('&')
      .filter(Boolean)
      .map((p) => p.split('=')[0]!);
    requests.push({ file, line: i + 1, method: request[1]!, base: request[2]!, path: pathPart!, query });
  });
  return { variables, requests };
}

export function readHttpExamples(): { file: string; variables: Record<string, string>; requests: HttpExample[] }[] {
  return fs
    .readdirSync(HTTP_EXAMPLES_DIR)
    .filter((f) => f.endsWith('.http'))
    .sort()
    .map((file) => ({ file, ...parseHttpExamples(file, fs.readFileSync(path.join(HTTP_EXAMPLES_DIR, file), 'utf8')) }));
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
}

/**
 * What is wrong with the request against the service's OpenAPI document (whose paths carry the
 * global prefix, `/api/v1/...`): no route with that method, or a query parameter the route does not
 * declare. Empty when the request is right.
 */
export function checkAgainstOpenApi(example: HttpExample, prefix: string, doc: OpenApiDocument): string[] {
  const where = `${example.file}:${example.line} ${example.method} ${example.path}`;
  const wanted = `${prefix}${example.path}`;
  const route = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(wanted.replace(/\{\}/g, 'x')));
  if (!route) return [`${where}: no such path in the OpenAPI document`];
  const operation = doc.paths[route]![example.method.toLowerCase()];
  if (!operation) return [`${where}: ${route} has no ${example.method}`];
  const declared = new Set((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
  return example.query.filter((q) => !declared.has(q)).map((q) => `${where}: query parameter ${q} is not declared`);
}
