import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { agreementProblems, DEFAULT_RETENTION_DAYS, InvalidAgreementError, parseAgreement, parsePartnersDocument, retentionDaysOf } from './agreement';
import { fromKafkaRecord, toKafkaRecord } from './cloudevent';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursor';

const valid = {
  id: 'moh',
  name: 'Ministry of Health',
  sector: 'health',
  events: { ChildRegistered: ['sex', 'personal.dateOfBirth'] },
  jurisdictions: ['01'],
  channels: ['http'],
};

describe('partner agreements', () => {
  it('accepts a valid agreement and the version-controlled partners file', () => {
    expect(agreementProblems(valid)).toEqual([]);
    const file = JSON.parse(readFileSync(path.resolve(__dirname, '../../../apps/stream-gateway/partners.json'), 'utf8'));
    expect(
      parsePartnersDocument(file)
        .map((p) => p.sector)
        .sort(),
    ).toEqual(['education', 'health']);
  });

  it('names each bad field and the rule', () => {
    const problems = agreementProblems({
      ...valid,
      id: 'Bad Id',
      events: { ChildRegistered: ['sex', 'childId', 'sex'], Nope: [] },
      jurisdictions: ['1'],
      channels: ['ftp'],
      clientSecret: 'x',
    });
    expect(problems.map((p) => p.field).sort()).toEqual(
      ['clientSecret', 'id', 'events.ChildRegistered[1]', 'events.ChildRegistered[2]', 'events.Nope', 'jurisdictions[0]', 'channels[0]'].sort(),
    );
    expect(() => parsePartnersDocument({ partners: [valid, valid] })).toThrow(InvalidAgreementError);
    expect(() => parsePartnersDocument({ partners: [valid, valid] })).toThrow(/partners\[1\]\.id: is repeated/);
  });

  it('takes an outbox retention in whole days from 7 to 3650, the platform default (90) when absent', () => {
    expect(DEFAULT_RETENTION_DAYS).toBe(90);
    expect(retentionDaysOf(parseAgreement(valid))).toBe(90);
    for (const days of [7, 30, 3650]) {
      expect(agreementProblems({ ...valid, retentionDays: days })).toEqual([]);
      expect(retentionDaysOf(parseAgreement({ ...valid, retentionDays: days }))).toBe(days);
    }
    for (const bad of [6, 0, -1, 3651, 30.5, '30', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(agreementProblems({ ...valid, retentionDays: bad })).toEqual([
        { field: 'retentionDays', message: 'must be an integer from 7 to 3650 (days; absent: 90)' },
      ]);
    }
    expect(() => parsePartnersDocument({ partners: [valid, { ...valid, id: 'moet', retentionDays: 1 }] })).toThrow(
      /partners\[1\]\.retentionDays: must be an integer from 7 to 3650/,
    );
  });
});

describe('feed cursors', () => {
  it('round-trip, and reject malformed, foreign and out-of-range cursors', () => {
    expect(decodeCursor('moh', encodeCursor('moh', 42n))).toBe(42n);
    expect(decodeCursor('moh', undefined)).toBe(0n);
    for (const bad of [
      '!!',
      'abc',
      Buffer.from('moh:-1').toString('base64url'),
      Buffer.from('moh:1e5').toString('base64url'),
      Buffer.from('moh:99999999999999999999').toString('base64url'),
    ]) {
      expect(() => decodeCursor('moh', bad)).toThrow(InvalidCursorError);
    }
    expect(() => decodeCursor('moet', encodeCursor('moh', 1n))).toThrow(/another feed/);
  });
});

describe('Kafka binary mode', () => {
  it('puts the CloudEvent attributes in ce_* headers, the data in the value, the subject in the key; a tombstone has a null value', () => {
    const e = {
      specversion: '1.0' as const,
      id: 'id1',
      source: 'urn:x',
      type: 'vn.gov.childledger.CaseClosed.v1',
      subject: 'ab'.repeat(32),
      time: '2025-08-01T00:00:00.000Z',
      datacontenttype: 'application/json' as const,
      dataschema: 'https://x',
      data: { outcome: 'goals_met' },
    };
    const r = toKafkaRecord(e);
    expect(r.key).toBe(e.subject);
    expect(r.headers['ce_id']).toBe('id1');
    expect(r.headers['ce_type']).toBe(e.type);
    expect(JSON.parse(r.value!)).toEqual(e.data);
    expect(fromKafkaRecord(r)).toEqual(e);
    expect(toKafkaRecord({ ...e, data: null }).value).toBeNull();
  });
});
