// `node -r ./tools/register.js tools/contracts/partner-schemas.ts [--check]`: writes the JSON Schemas
// of the partner CloudEvents to docs/schemas/partners/<Name>/v<N>.json, the files docs/asyncapi.yaml
// references. They are generated from the same code that builds the `dataschema` URLs and validates
// the projector's output (libs/partner-streams/src/schemas.ts), so a partner can fetch them from the
// repository; `--check` writes nothing and exits 1 when a committed file is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { partnerSchemaFiles } from '@childledger/partner-streams';

export const SCHEMAS_DIR = path.resolve(__dirname, '../../docs/schemas/partners');

export const schemaFileText = (schema: Record<string, unknown>): string => `${JSON.stringify(schema, null, 2)}\n`;

function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [rel, schema] of Object.entries(partnerSchemaFiles())) {
    const file = path.join(SCHEMAS_DIR, rel);
    const text = schemaFileText(schema);
    // Compared as JSON: the files are formatted by Prettier after writing.
    if (fs.existsSync(file) && isDeepStrictEqual(JSON.parse(fs.readFileSync(file, 'utf8')), schema)) continue;
    if (check) stale.push(path.relative(process.cwd(), file));
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`partner schemas are stale: ${stale.join(', ')}; run node -r ./tools/register.js tools/contracts/partner-schemas.ts\n`);
    process.exit(1);
  }
}

if (require.main === module) main();
