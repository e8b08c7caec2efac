import { randomBytes } from 'node:crypto';
import { LocalKeyEncryptionKey } from './key-encryption-key';
import { previousKeyEncryptionKeysProblem, resolvePreviousKeyEncryptionKeys } from './trust-keys';

const key = () => randomBytes(32).toString('base64');

describe(resolvePreviousKeyEncryptionKeys.name, () => {
  const current = key();
  const kek = LocalKeyEncryptionKey.fromBase64(current);

  it('is empty when unset, and gives one key per entry otherwise (spaces around commas allowed)', () => {
    expect(resolvePreviousKeyEncryptionKeys(undefined, kek)).toEqual([]);
    expect(resolvePreviousKeyEncryptionKeys(' ', kek)).toEqual([]);
    const a = key();
    const b = key();
    expect(resolvePreviousKeyEncryptionKeys(`${a} , ${b}`, kek).map((k) => k.id)).toEqual([
      LocalKeyEncryptionKey.fromBase64(a).id,
      LocalKeyEncryptionKey.fromBase64(b).id,
    ]);
  });

  it('refuses the current key and malformed entries without echoing a key', () => {
    const a = key();
    expect(() => resolvePreviousKeyEncryptionKeys(`${a},${current}`, kek)).toThrow('CHILDLEDGER_KEK_PREVIOUS: entry 2 is the current key (CHILDLEDGER_KEK)');
    for (const bad of [`${a},${a}`, `${a},${randomBytes(24).toString('base64')}`, 'zz%']) {
      let message = '';
      try {
        resolvePreviousKeyEncryptionKeys(bad, kek);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^CHILDLEDGER_KEK_PREVIOUS: entr/);
      expect(message).not.toContain(a);
      expect(message).not.toContain('zz%');
    }
  });
});

describe(previousKeyEncryptionKeysProblem.name, () => {
  it('names the first rule broken, by entry number', () => {
    const a = key();
    expect(previousKeyEncryptionKeysProblem(a, undefined)).toBeUndefined();
    expect(previousKeyEncryptionKeysProblem(`${a},`, undefined)).toBe('entry 2 is empty (a comma-separated list of base64 keys)');
    expect(previousKeyEncryptionKeysProblem(a.slice(0, -1), undefined)).toBe('entry 1 is not base64');
    expect(previousKeyEncryptionKeysProblem(randomBytes(33).toString('base64'), undefined)).toBe(
      'entry 1 must be the base64 encoding of 32 bytes (it decodes to 33)',
    );
    expect(previousKeyEncryptionKeysProblem(`${key()},${a},${a}`, undefined)).toBe('entries 2 and 3 are the same key (each previous key once)');
    expect(previousKeyEncryptionKeysProblem(a, a)).toBe('entry 1 is the current key (CHILDLEDGER_KEK): a previous key must differ from it');
  });
});
