import { Pool, PoolClient } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { insertRows, liveTables, ProjectionContext, Row, RowSet } from './projection';
import { UnitResolver } from './unit-resolver';

/** Text that COPY's text format, array literals or JSON must escape, and text that looks like their markers. */
const AWKWARD = [
  'tab\there',
  'new\nline',
  'cr\rreturn',
  'back\\slash',
  'two \\\\ backslashes',
  'quote"double',
  "single'quote",
  '\\N',
  'N',
  '\\.',
  '.',
  'Nguyễn Thị Thu Hà — Trạm y tế',
  '{brace}',
  'comma,here',
  'NULL',
  '',
  ' leading and trailing ',
  '🙂',
  '\\t not a tab',
];

interface ProbeRow extends Row {
  id: string;
  t: string | null;
  j: unknown;
  tags: (string | null)[];
  groups: number[];
  at: string | null;
  day: string | null;
  flag: boolean | null;
  n: number | null;
  u: string | null;
}

const COLUMNS = ['id', 't', 'j', 'tags', 'groups', 'at', 'day', 'flag', 'n', 'u'] as const;

function probe(i: number, text: string): ProbeRow {
  return {
    id: `p${i}`,
    t: text,
    j: { text, nested: [text, null, { deeper: text, n: i, ok: true }], empty: {}, nothing: null },
    tags: [text, 'plain', null, 'a,b', 'c"d', 'e\\f', '{g}'],
    groups: [1, 9, 14],
    at: '2025-08-01T03:00:00.123Z',
    day: '2025-07-31',
    flag: i % 2 === 0,
    n: 9_007_199_254_740_991 - i,
    u: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  };
}

const NULLS: ProbeRow = { id: 'nulls', t: null, j: null, tags: [], groups: [], at: null, day: null, flag: null, n: null, u: null };

describe('projection write paths (COPY appends, typed-array upserts and deletes)', () => {
  let db: TestDatabase;
  let owner: Pool;
  let client: PoolClient;
  const ctx: ProjectionContext = { table: liveTables, units: new UnitResolver(loadAdministrativeUnits()) };

  beforeAll(async () => {
    db = await createTestDatabase([]);
    owner = createPool(db.url, { role: null, max: 2 });
    client = await owner.connect();
    for (const table of ['probe_append', 'probe_upsert']) {
      await client.query(`
        CREATE TABLE ${table} (
          id text PRIMARY KEY, t text, j jsonb, tags text[] NOT NULL DEFAULT '{}', groups smallint[] NOT NULL DEFAULT '{}',
          at timestamptz, day date, flag boolean, n bigint, u uuid
        )`);
    }
  });

  afterAll(async () => {
    client.release();
    await owner.end();
    await db.drop();
  });

  /** The rows as PostgreSQL holds them, read back through JSON (instants normalised to ISO in UTC). */
  async function readBack(table: string): Promise<ProbeRow[]> {
    const res = await client.query<{ r: ProbeRow }>(
      `SELECT row_to_json(x) AS r FROM (SELECT *, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM ${table}) x ORDER BY id`,
    );
    return res.rows.map(({ r }) => ({ ...r, n: r.n === null ? null : Number(r.n) }));
  }
  const sorted = (rows: ProbeRow[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

  it('appends awkward text, jsonb, arrays, nulls and instants with COPY, exactly as given', async () => {
    const rows = [...AWKWARD.map((text, i) => probe(i, text)), NULLS];
    await insertRows(client, ctx, 'probe_append', COLUMNS, rows);
    const back = await readBack('probe_append');
    expect(back).toEqual(sorted(rows).map((r) => ({ ...r, j: r.j ?? null })));
    // The text is the text, byte for byte (not only equal after JSON decoding).
    const direct = await client.query<{ id: string; t: string; tag: string }>(`SELECT id, t, tags[1] AS tag FROM probe_append WHERE id <> 'nulls' ORDER BY id`);
    expect(direct.rows.map((r) => [r.t, r.tag])).toEqual(sorted(rows.slice(0, AWKWARD.length)).map((r) => [r.t, r.t]));
    expect((await client.query(`SELECT count(*)::int AS n FROM probe_append WHERE j->'nested'->2->>'deeper' = t`)).rows[0].n).toBe(AWKWARD.length);
  });

  it('fails loudly when an appended row repeats a key', async () => {
    await client.query('BEGIN');
    await expect(insertRows(client, ctx, 'probe_append', COLUMNS, [probe(0, 'again')])).rejects.toThrow(/duplicate key/);
    await client.query('ROLLBACK');
    expect((await client.query(`SELECT t FROM probe_append WHERE id = 'p0'`)).rows[0].t).toBe(AWKWARD[0]);
  });

  it('upserts, updates and deletes through RowSet with typed column arrays, and loads the rows back unchanged', async () => {
    const rows = [...AWKWARD.map((text, i) => probe(i, text)), NULLS];
    const first = new RowSet<ProbeRow>('probe_upsert', ['id']);
    for (const r of rows) first.put(r);
    await first.flush(client, ctx, COLUMNS);
    expect(await readBack('probe_upsert')).toEqual(sorted(rows));

    // A second batch loads them, changes some, removes others.
    const second = new RowSet<ProbeRow>('probe_upsert', ['id']);
    await second.load(
      client,
      ctx,
      'id',
      rows.map((r) => r.id),
    );
    expect([...second.all()]).toHaveLength(rows.length);
    const changed: ProbeRow[] = [];
    for (const [i, r] of [...second.all()].entries()) {
      if (i % 3 === 0) second.remove(r);
      else {
        const next = { ...r, t: `${r.t ?? ''}\t+\n`, tags: [...r.tags, 'x\\"y'], groups: [...r.groups, 2], j: { was: r.j, again: r.t } };
        second.touch(next);
        changed.push(next);
      }
    }
    await second.flush(client, ctx, COLUMNS);
    const back = await readBack('probe_upsert');
    expect(back.map((r) => r.id)).toEqual(sorted(changed).map((r) => r.id));
    // Loaded values are JSON-shaped (instants as PostgreSQL writes them): compare the instants as instants.
    expect(back.map((r) => ({ ...r, at: null }))).toEqual(sorted(changed).map((r) => ({ ...r, at: null })));
    expect(back.map((r) => (r.at === null ? null : Date.parse(r.at)))).toEqual(sorted(changed).map((r) => (r.at === null ? null : Date.parse(r.at))));
  });

  it('appends rows put with add (COPY), fails loudly when such a row exists, and writes nothing for one added and removed', async () => {
    await client.query('TRUNCATE probe_upsert');
    const set = new RowSet<ProbeRow>('probe_upsert', ['id']);
    const kept = probe(1, 'kept\there');
    set.add(kept);
    set.touch({ ...kept, t: 'changed after add\\' });
    const dropped = probe(2, 'dropped');
    set.add(dropped);
    set.remove(dropped);
    await set.flush(client, ctx, COLUMNS);
    expect((await readBack('probe_upsert')).map((r) => [r.id, r.t])).toEqual([['p1', 'changed after add\\']]);

    // A wrong guess (the row is in the table) is an error, not a silent overwrite.
    const again = new RowSet<ProbeRow>('probe_upsert', ['id']);
    again.add(probe(1, 'again'));
    await client.query('BEGIN');
    await expect(again.flush(client, ctx, COLUMNS)).rejects.toThrow(/duplicate key/);
    await client.query('ROLLBACK');

    // A row loaded and removed in a batch, then added again, is upserted (it may still be in the table).
    const third = new RowSet<ProbeRow>('probe_upsert', ['id']);
    await third.load(client, ctx, 'id', ['p1']);
    third.remove(third.get({ id: 'p1' })!);
    third.add(probe(1, 'back'));
    await third.flush(client, ctx, COLUMNS);
    expect((await readBack('probe_upsert')).map((r) => [r.id, r.t])).toEqual([['p1', 'back']]);
  });
});
