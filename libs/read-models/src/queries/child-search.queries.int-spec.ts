import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { ChildSearchQueries, ChildSearchQuery } from './child-search.queries';
import { Jurisdiction } from './sql';

// The name walk (docs/search.md, "A name many children bear") must give the trigram path's rows
// exactly, whatever the walk's length: the walk of 0 (never walk) is the reference.

interface Row {
  id: string;
  name: string;
  province: string;
  commune: string;
  status?: string;
  year: number;
  groups?: number[];
}

function children(): Row[] {
  const rows: Row[] = [];
  const add = (prefix: string, count: number, name: string, province: string, communes: string[], from = 0) => {
    for (let i = 0; i < count; i++)
      rows.push({
        id: `${prefix}-${String(i + from).padStart(3, '0')}`,
        name,
        province,
        commune: communes[i % communes.length]!,
        year: 2010 + (i % 6),
        groups: i % 4 === 0 ? [3] : [],
        status: i % 17 === 5 ? 'merged' : 'active',
      });
  };
  // Province 01: a name most children bear, rarer ones before and after it in name order.
  add('a', 150, 'nguyen thi ha', '01', ['00004', '00008']);
  add('b', 30, 'tran van an', '01', ['00004']);
  add('c', 100, 'le minh', '01', ['00008']);
  add('d', 20, 'pham thi ha', '01', ['00004', '00008']);
  add('e', 3, 'an khanh', '01', ['00004']);
  // Province 22: fewer children, some with the same common name.
  add('f', 10, 'nguyen thi ha', '22', ['06886']);
  add('g', 30, 'hoang van nam', '22', ['06886']);
  // Outside every jurisdiction below but the admin's.
  add('h', 5, 'nguyen thi ha', '79', ['26734']);
  return rows;
}

const PROVINCE: Jurisdiction = { role: 'data_officer', provinces: ['01'], communes: [] };
const TWO_PROVINCES: Jurisdiction = { role: 'inspector', provinces: ['22', '01'], communes: [] };
const COMMUNE: Jurisdiction = { role: 'data_officer', provinces: ['01'], communes: ['00004'] };
const ADMIN: Jurisdiction = { role: 'admin', provinces: [], communes: [] };

describe('ChildSearchQueries: the name walk gives the trigram path rows', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url, { role: null, max: 3 });
    const rows = children();
    await pool.query(
      `INSERT INTO rm_child_search (child_id, status, full_name, name_folded, date_of_birth, commune_code, province_code, national_id_state, circumstances, revision)
       SELECT id, status, name, ' ' || name, make_date(year, 6, 1), commune, province, 'none', groups, 0
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, status text, name text, year int, commune text, province text, groups smallint[])`,
      [JSON.stringify(rows)],
    );
    await pool.query('ANALYZE rm_child_search');
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const queries: Array<[string, Omit<ChildSearchQuery, 'limit'>]> = [
    ['the common name', { nameReadings: ['nguyen thi ha'] }],
    ['a word every third child has', { nameReadings: ['ha'] }],
    ['a rarer name', { nameReadings: ['tran'] }],
    ['a name with few children', { nameReadings: ['pham thi'] }],
    ['two readings', { nameReadings: ['nguyeen thij', 'nguyen thi'] }],
    ['a name no child bears', { nameReadings: ['zzz'] }],
    ['with a birth year', { nameReadings: ['nguyen'], birthYear: 2012 }],
    ['with a group', { nameReadings: ['thi'], group: 3 }],
    ['with a commune', { nameReadings: ['nguyen thi'], communeCode: '00008' }],
  ];

  it('returns, for every walk length, jurisdiction, query, limit and page, the rows of the trigram path', async () => {
    const reference = new ChildSearchQueries(pool, 0);
    const walks = [1, 3, 10, 40, 5000].map((w) => new ChildSearchQueries(pool, w));
    let compared = 0;
    for (const user of [PROVINCE, TWO_PROVINCES, COMMUNE, ADMIN])
      for (const [label, query] of queries)
        for (const limit of [1, 6, 51]) {
          // The first page, and the page after its last row (keyset), as the console pages.
          const first = await reference.search(user, { ...query, limit });
          const pages: ChildSearchQuery[] = [{ ...query, limit }];
          if (first.length > 0) pages.push({ ...query, limit, afterChildId: first[first.length - 1]!.child_id });
          for (const page of pages) {
            const expected = await reference.search(user, page);
            for (const walk of walks) {
              const got = await walk.search(user, page);
              expect({ label, user: user.provinces, limit, after: page.afterChildId, rows: got }).toEqual({
                label,
                user: user.provinces,
                limit,
                after: page.afterChildId,
                rows: expected,
              });
              compared++;
            }
          }
        }
    expect(compared).toBeGreaterThan(400);
  });

  it('answers a common name from the walk alone, and falls back to the trigram index when the walk cannot tell the page', async () => {
    const counted = (walk: number) => {
      const q = new ChildSearchQueries(pool, walk);
      const spy = jest.spyOn(pool, 'query');
      return {
        run: async (user: Jurisdiction, query: ChildSearchQuery) => {
          spy.mockClear();
          const rows = await q.search(user, query);
          return { rows: rows.map((r) => r.child_id), statements: spy.mock.calls.length };
        },
        done: () => spy.mockRestore(),
      };
    };
    const c = counted(40);
    try {
      // The first 40 active children of province 01 in name order: 3 "an khanh", then "le minh": no "nguyen" among them.
      const rare = await c.run(PROVINCE, { nameReadings: ['nguyen thi ha'], limit: 6 });
      expect(rare.statements).toBe(2);
      expect(rare.rows).toEqual(['a-000', 'a-001', 'a-002', 'a-003', 'a-004', 'a-006']); // a-005 was merged
      // After the last "le minh", the walk starts in the common name: one statement.
      const lastLeMinh = 'c-099';
      const common = await c.run(PROVINCE, { nameReadings: ['nguyen thi ha'], limit: 6, afterChildId: lastLeMinh });
      expect(common.statements).toBe(1);
      expect(common.rows).toEqual(rare.rows);
      // Both provinces: 22's first 40 are 30 "hoang van nam" and its 10 "nguyen thi ha", all it has: seen whole.
      const two = await c.run(TWO_PROVINCES, { nameReadings: ['ha'], limit: 6, afterChildId: lastLeMinh });
      expect(two.statements).toBe(1);
      expect(two.rows).toEqual(['a-000', 'a-001', 'a-002', 'a-003', 'a-004', 'a-006']);
      // A commune's staff and the admin never walk.
      expect((await c.run(COMMUNE, { nameReadings: ['nguyen'], limit: 6 })).statements).toBe(1);
      expect(await c.run(ADMIN, { nameReadings: ['nguyen'], limit: 6 })).toEqual({ rows: expect.arrayContaining([]), statements: 1 });
    } finally {
      c.done();
    }
  });

  it('refuses a walk length that is not a whole number of at least 0', () => {
    expect(() => new ChildSearchQueries(pool, -1)).toThrow('the name walk must be a whole number ≥ 0, not -1');
    expect(() => new ChildSearchQueries(pool, 2.5)).toThrow('not 2.5');
  });
});
