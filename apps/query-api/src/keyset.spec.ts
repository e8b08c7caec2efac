import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, INSTANT, isInstantText, page, pageLimit } from './keyset';

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
      encodeCursor(['2025-02-30T03:00:00.000001Z', 'kid0001', 'identity_review']),
      encodeCursor(['2025-06-01T24:00:00.000001Z', 'kid0001', 'identity_review']),
      encodeCursor(['2025-06-01T03:00:00.000001Z', 'kid0001']),
      encodeCursor(['2025-06-01T03:00:00.000001Z', '', 'identity_review']),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
    ];
    for (const cursor of bad) expect([cursor, fieldOf(() => decodeCursor(cursor, 'after', [INSTANT, null, null]))]).toEqual([cursor, 'after']);
  });

  it('accepts only instants that exist, as PostgreSQL prints them or as cursors keep them', () => {
    for (const good of ['2025-08-01 10:00:00.123456+07', '2025-08-01 10:00:00+00', '2024-02-29T23:59:59.000001Z', '2025-08-01 10:00:00.5-03:30'])
      expect([good, isInstantText(good)]).toEqual([good, true]);
    for (const bad of [
      '2025-02-29 10:00:00+00',
      '2025-13-01 10:00:00+00',
      '2025-08-01 25:00:00+00',
      '2025-08-01 10:61:00+00',
      '2025-08-01',
      'now',
      "2025-08-01 10:00:00+00'; --",
    ])
      expect([bad, isInstantText(bad)]).toEqual([bad, false]);
  });

  it('cuts a page from limit + 1 rows and gives the next cursor only when a row was left over', () => {
    const rows = ['a', 'b', 'c'];
    expect(page(rows, 2, (r) => [r])).toEqual({ rows: ['a', 'b'], next: encodeCursor(['b']) });
    expect(page(rows.slice(0, 2), 2, (r) => [r])).toEqual({ rows: ['a', 'b'], next: null });
    expect(page([], 2, (r: string) => [r])).toEqual({ rows: [], next: null });
  });
});
