import { deterministicUuid } from './adapter/deterministic-id';
import { searchCriteriaFor } from './matching/national-registry-candidate.source';
import { parseRetryAfter } from './national-registry/http-national-population-registry.adapter';
import { SandboxFaults } from './sandbox/sandbox-faults';

describe('identity helpers', () => {
  it('parses Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('derives the same UUID from the same name, another from another name', () => {
    const a = deterministicUuid('identity-adapter:e1:LinkNationalId:0');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('identity-adapter:e1:LinkNationalId:0')).toBe(a);
    expect(deterministicUuid('identity-adapter:e2:LinkNationalId:0')).not.toBe(a);
  });

  it('builds searches that each send only the fields of one blocking key', () => {
    const queries = searchCriteriaFor(
      { recordRef: 'r', fullName: 'Huỳnh Thị Thu Hà', dateOfBirth: { year: 2016, month: 3, day: 4 }, sex: 'F', fatherFullName: 'Huỳnh Văn Nam' },
      { communes: ['00004'], provinces: ['01'] },
    );
    expect(queries).toEqual([
      { familyName: 'huynh', givenName: 'ha', birthYear: 2016 },
      { familyName: 'hoang', givenName: 'ha', birthYear: 2016 },
      { givenName: 'ha', dateOfBirth: '2016-03-04' },
      { givenName: 'ha', dateOfBirth: '2016-04-03' },
      { dateOfBirth: '2016-03-04', communeCode: '00004' },
      { dateOfBirth: '2016-04-03', communeCode: '00004' },
    ]);
    for (const q of queries) expect(Object.keys(q).length).toBeLessThanOrEqual(3);
    // No place known: the province narrows the date instead; a year alone gives only the name search.
    expect(searchCriteriaFor({ recordRef: 'r', fullName: 'An', dateOfBirth: { year: 2016, month: 5, day: 20 } }, { communes: [], provinces: ['79'] })).toEqual([
      { givenName: 'an', dateOfBirth: '2016-05-20' },
      { dateOfBirth: '2016-05-20', provinceCode: '79' },
    ]);
  });

  it('searches a name typed with the input method off as typed and as meant (Telex, VNI); a plain name once', () => {
    const telex = searchCriteriaFor({ recordRef: 'r', fullName: 'Nguyeenx Thij Mai', dateOfBirth: { year: 2016 } }, { communes: [], provinces: [] });
    expect(telex).toEqual([
      { familyName: 'nguyeenx', givenName: 'mai', birthYear: 2016 },
      { familyName: 'nguyen', givenName: 'mai', birthYear: 2016 },
    ]);
    const vni = searchCriteriaFor(
      { recordRef: 'r', fullName: 'Tra6n2 D9u7c1', dateOfBirth: { year: 2016, month: 5, day: 20 } },
      { communes: [], provinces: [] },
    );
    expect(vni).toContainEqual({ familyName: 'tran', givenName: 'duc', birthYear: 2016 });
    expect(vni).toContainEqual({ givenName: 'duc', dateOfBirth: '2016-05-20' });
    expect(searchCriteriaFor({ recordRef: 'r', fullName: 'Nguyễn Thị Mai', dateOfBirth: { year: 2016 } }, { communes: [], provinces: [] })).toEqual([
      { familyName: 'nguyen', givenName: 'mai', birthYear: 2016 },
    ]);
  });

  it('draws the same faults for the same seed, honours the rate limit per client and second, and plays scripts first', () => {
    const draw = (seed: number) => {
      const f = new SandboxFaults({ errorRate: 0.2, timeoutRate: 0.1, seed });
      return Array.from({ length: 50 }, () => f.next('c', 0).kind);
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    const limited = new SandboxFaults({ rateLimitPerSecond: 2, retryAfterSeconds: 3 });
    expect(
      [limited.next('a', 1000), limited.next('a', 1100), limited.next('a', 1200), limited.next('b', 1200), limited.next('a', 2000)].map((d) => d.kind),
    ).toEqual(['ok', 'ok', 'rate_limited', 'ok', 'ok']);
    const scripted = new SandboxFaults();
    scripted.enqueue('error', { rateLimited: 7 }, 'hang');
    expect([scripted.next('a'), scripted.next('a'), scripted.next('a'), scripted.next('a')]).toEqual([
      { kind: 'error' },
      { kind: 'rate_limited', retryAfterSeconds: 7 },
      { kind: 'hang', ms: 30_000 },
      { kind: 'ok', delayMs: 0 },
    ]);
  });
});
