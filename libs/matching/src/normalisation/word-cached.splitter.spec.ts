import fc from 'fast-check';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { generateScenario } from '@childledger/testing';
import { splitVietnameseName } from './vietnamese-text.normaliser';
import { normaliseByWords, splitNameByWords } from './word-cached.splitter';

describe('splitNameByWords', () => {
  it('splits every name of generated residents and records as splitVietnameseName does', () => {
    const scenario = generateScenario({ seed: 6021, households: 400, records: 400 });
    const names = [
      ...scenario.residents.flatMap((r) => [r.full_name, r.father_full_name, r.mother_full_name]),
      ...scenario.records.flatMap((r) => [r.full_name, r.father_full_name, r.mother_full_name]),
    ].filter((n): n is string => !!n);
    expect(names.length).toBeGreaterThan(2000);
    for (const name of names) expect(splitNameByWords(name)).toEqual(splitVietnameseName(name));
  });

  it('agrees on arbitrary text: spaces of every kind, punctuation, combining and look-alike marks, hyphens', () => {
    const alphabet = [
      ...'aAeEiIoOuUyYđĐnNgGhHtT',
      ...'ăâêôơưĂÂÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ',
      ...'ÀÁẢÃẠÒÓỎÕỌỲÝ',
      '\u0300',
      '\u0301',
      '\u0303',
      '\u0309',
      '\u0323',
      '\u0340',
      '\u0341',
      '\u0302',
      '\u0306',
      '\u031b',
      '\u00d0',
      '\u00f0',
      '\u0189',
      ' ',
      ' ',
      ' ',
      '\u00a0',
      '\t',
      '\u200b',
      '\ufeff',
      '-',
      "'",
      '.',
      ',',
      '1',
      'Σ',
      'İ',
    ];
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (s) => {
        expect(splitNameByWords(s)).toEqual(splitVietnameseName(s));
        expect(normaliseByWords(s)).toBe(splitVietnameseName(s).full);
      }),
      { numRuns: 5_000 },
    );
  });
});
