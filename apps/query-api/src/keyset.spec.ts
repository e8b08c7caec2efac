import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, INSTANT, page, pageLimit } from './keyset';

const fieldOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e instanceof BadRequestException ? (e.getResponse() as { field?: string }).field : e;
  }
  return 'no error';
};

describe('keyset paging', () => {
  it('takes a limit of 1 to 500 written as digits, 100 when none is given', () => {
    expect(pageLimit(undefined)).toBe(100);
    expect(pageLimit('1')).toBe(1);
    expect(pageLimit('500')).toBe(500);
    for (const bad of ['0', '501', '-1', '1.5', '1e2', ' 5', '', 'ten', '00000001']) expect([bad, fieldOf(() => pageLimit(bad))]).toEqual([bad, 'limit']);
  });

  it('round-trips a sort key through an opaque cursor and refuses anything it did not write, naming the field', () => {
    const key = ['2025-06-01T03:00:00.000001Z', 'kid0001', 'identity_review'];
    expect(decodeCursor(encodeCursor(key), 'after', [INSTANT, null, null])).toEqual(key);
    const bad = [
      'xyz',
      encodeCursor(['2025-06-01', 'kid0001', 'identity_review']),
      encodeCursor(['2025-06-01T03:00:00.000001Z', 'kid0001']),
      encodeCursor(['2025-06-01T03:00:00.000001Z', '', 'identity_review']),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
    ];
    for (const cursor of bad) expect([cursor, fieldOf(() => decodeCursor(cursor, 'after', [INSTANT, null, null]))]).toEqual([cursor, 'after']);
  });

  it('cuts a page from limit + 1 rows and gives the next cursor only when a row was left over', () => {
    const rows = ['a', 'b', 'c'];
    expect(page(rows, 2, (r) => [r])).toEqual({ rows: ['a', 'b'], next: encodeCursor(['b']) });
    expect(page(rows.slice(0, 2), 2, (r) => [r])).toEqual({ rows: ['a', 'b'], next: null });
    expect(page([], 2, (r: string) => [r])).toEqual({ rows: [], next: null });
  });
});
