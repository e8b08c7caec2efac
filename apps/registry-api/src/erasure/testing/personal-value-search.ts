import type { Pool } from 'pg';

/** Every way the platform (or PostgreSQL's text output) could have written a value. */
export function encodings(value: string): string[] {
  const forms = new Set([value, value.normalize('NFC'), value.normalize('NFD')]);
  const out = new Set<string>();
  for (const f of forms) {
    out.add(f);
    out.add(JSON.stringify(f).slice(1, -1));
    out.add(
      JSON.stringify(f)
        .slice(1, -1)
        .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
    out.add(Buffer.from(f, 'utf8').toString('base64'));
    out.add(Buffer.from(f, 'utf8').toString('hex'));
  }
  return [...out].filter((s) => s.length >= 6);
}

/** The text of every row of every table (bytea decoded too), as the database owner sees it. */
export async function dumpAllTables(owner: Pool): Promise<{ text: string; tables: string[] }> {
  const { rows } = await owner.query<{ table_name: string; table_schema: string }>(
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  let text = '';
  for (const r of rows) {
    const res = await owner.query<{ t: string }>(`SELECT t::text AS t FROM "${r.table_schema}"."${r.table_name}" t`);
    const rowsText = res.rows.map((x) => x.t).join('\n');
    const decoded = [...rowsText.matchAll(/\\\\x([0-9a-f]+)/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1')).join('\n');
    text += `${rowsText}\n${decoded}\n`;
  }
  return { text, tables: rows.map((r) => r.table_name) };
}

/** The values (of `values`) found in the dump in any encoding. */
export function foundIn(dump: string, values: readonly string[]): string[] {
  return values.filter((v) => encodings(v).some((enc) => dump.includes(enc)));
}
