import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticSeverity, fromFile, Parser } from '@asyncapi/parser';
import type { EventType } from '@childledger/domain';
import {
  cloudEventType,
  dataSchemaUrl,
  partnerEventSchema,
  partnerSchemaFiles,
  SHAREABLE_FIELDS,
  TOMBSTONE_DATA_SCHEMA,
  TOMBSTONE_TYPE,
} from '@childledger/partner-streams';
import { SCHEMAS_DIR } from './partner-schemas';

const DOC = path.resolve(__dirname, '../../docs/asyncapi.yaml');
const TYPES = Object.keys(SHAREABLE_FIELDS) as EventType[];
const parser = new Parser();

const describeDiagnostic = (d: { code: string | number; path: (string | number)[]; message: string }) =>
  `${d.code} at ${d.path.join('.') || '(root)'}: ${d.message}`;

/** The schema as written: without the ids the parser adds (`x-parser-schema-id`). */
const asWritten = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(asWritten)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => !k.startsWith('x-parser-'))
            .map(([k, x]) => [k, asWritten(x)]),
        )
      : v;

async function parseDoc() {
  const { document, diagnostics } = await fromFile(parser, DOC).parse();
  return { document, errors: diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(describeDiagnostic), diagnostics };
}

describe('docs/asyncapi.yaml', () => {
  it('parses with @asyncapi/parser with no error (and no warning)', async () => {
    const { document, errors, diagnostics } = await parseDoc();
    expect(errors).toEqual([]);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map(describeDiagnostic)).toEqual([]);
    expect(document).toBeDefined();
  });

  it('the parser reports an error where the document is wrong (the check can fail)', async () => {
    const broken = fs.readFileSync(DOC, 'utf8').replace(/tokenUrl: ['"]https:\/\/[^'"]+['"]/, 'tokenUrl: /api/v1/partners/oauth/token');
    const { diagnostics } = await parser.parse(broken, { source: DOC });
    expect(diagnostics.some((d) => d.severity === DiagnosticSeverity.Error && d.path.includes('partnerClientCredentials'))).toBe(true);
  });

  it('has a message for every partner event type on both channels, whose payload is the generated JSON Schema the dataschema URL names', async () => {
    const { document } = await parseDoc();
    const channels = document!.channels();
    const topic = channels.get('partnerTopic')!;
    const feed = channels.get('partnerFeed')!;
    const messages = document!.components().messages();
    for (const type of [...TYPES, 'ChildTombstone']) {
      const schema = type === 'ChildTombstone' ? TOMBSTONE_DATA_SCHEMA : partnerEventSchema(type as EventType);
      expect(topic.messages().get(type)).toBeDefined();
      expect(feed.messages().get(type)).toBeDefined();
      // Binary mode: the record's value is the data.
      const binary = asWritten(messages.get(type)!.payload()!.json()) as { schemaFormat: string; schema: unknown };
      expect(binary.schemaFormat).toBe('application/schema+json;version=draft-07');
      expect(binary.schema).toEqual(schema);
      // Structured mode: the envelope, with this type, its dataschema URL and the data's schema.
      const structured = asWritten(messages.get(`${type}Structured`)!.payload()!.json()) as { schema: { allOf: Record<string, unknown>[] } };
      const typed = structured.schema.allOf[1] as { properties: Record<string, { const?: string }> };
      expect(typed.properties['type']!.const).toBe(type === 'ChildTombstone' ? TOMBSTONE_TYPE : cloudEventType(type));
      expect(typed.properties['dataschema']!.const).toBe(dataSchemaUrl(type));
      expect(typed.properties['dataschema']!.const).toBe((schema as { $id: string }).$id);
      expect(typed.properties['data']).toEqual(schema);
    }
    expect(topic.messages().length).toBe(TYPES.length + 1);
  });
});

describe('docs/schemas/partners', () => {
  it('holds exactly the generated schemas (run tools/contracts/partner-schemas.ts after changing the field catalogue)', () => {
    const expected = partnerSchemaFiles();
    const onDisk = fs
      .readdirSync(SCHEMAS_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.split(path.sep).join('/'))
      .sort();
    expect(onDisk).toEqual(Object.keys(expected).sort());
    for (const [rel, schema] of Object.entries(expected))
      expect([rel, JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, rel), 'utf8'))]).toEqual([rel, schema]);
  });
});
