import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { decryptPersonal, deriveDataKey, encryptPersonal, isEnvelope } from './envelope';

const personal = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.constant(null),
    fc.integer(),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  ),
  { maxKeys: 8 },
);

describe('personal data envelope', () => {
  const key = deriveDataKey('child-a', randomBytes(32));

  it('round-trips any personal object (property)', () => {
    fc.assert(
      fc.property(personal, fc.uuid(), (p, id) => {
        const env = encryptPersonal(key, id, p);
        expect(isEnvelope(env)).toBe(true);
        expect(decryptPersonal(key, id, env)).toEqual(JSON.parse(JSON.stringify(p)));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic per (event id, plaintext), so a retried append stores identical bytes (property)', () => {
    fc.assert(
      fc.property(personal, personal, fc.uuid(), fc.uuid(), (p, q, id, id2) => {
        expect(encryptPersonal(key, id, p)).toEqual(encryptPersonal(key, id, { ...p }));
        // Another plaintext or another event never reuses the IV.
        if (JSON.stringify(p) !== JSON.stringify(q)) expect(encryptPersonal(key, id, q).iv).not.toBe(encryptPersonal(key, id, p).iv);
        if (id !== id2) expect(encryptPersonal(key, id2, p).iv).not.toBe(encryptPersonal(key, id, p).iv);
      }),
      { numRuns: 200 },
    );
  });

  it('does not contain the plaintext in any encoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 6, maxLength: 40 }), (name) => {
        const env = JSON.stringify(encryptPersonal(key, randomUUID(), { fullName: name }));
        expect(env).not.toContain(name);
        expect(env).not.toContain(Buffer.from(name).toString('base64'));
        expect(env).not.toContain(Buffer.from(name).toString('hex'));
      }),
    );
  });

  it('refuses an altered ciphertext, another event id, another subject or another key', () => {
    const id = randomUUID();
    const env = encryptPersonal(key, id, { fullName: 'Nguyễn Văn An' });
    const ct = Buffer.from(env.ct, 'base64');
    ct[0] = ct[0]! ^ 1;
    expect(() => decryptPersonal(key, id, { ...env, ct: ct.toString('base64') })).toThrow();
    expect(() => decryptPersonal(key, randomUUID(), env)).toThrow();
    expect(() => decryptPersonal(deriveDataKey('child-b', randomBytes(32)), id, env)).toThrow();
    expect(() => decryptPersonal(deriveDataKey('child-a', randomBytes(32)), id, env)).toThrow();
    expect(decryptPersonal(key, id.toUpperCase(), env)).toEqual({ fullName: 'Nguyễn Văn An' });
  });

  it('a metadata envelope and a data envelope of the same event never share an IV and cannot stand in for each other', () => {
    const id = randomUUID();
    const same = { reason: 'Nguyễn Văn A nhập trùng' };
    const data = encryptPersonal(key, id, same);
    const meta = encryptPersonal(key, id, same, 'metadata');
    expect(meta.iv).not.toBe(data.iv);
    expect(decryptPersonal(key, id, meta, 'metadata')).toEqual(same);
    expect(() => decryptPersonal(key, id, meta)).toThrow();
    expect(() => decryptPersonal(key, id, data, 'metadata')).toThrow();
    // The default purpose is `data`: what every envelope stored so far was sealed for.
    expect(encryptPersonal(key, id, same, 'data')).toEqual(data);
  });
});
