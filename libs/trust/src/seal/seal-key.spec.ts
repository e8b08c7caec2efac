import { randomBytes } from 'node:crypto';
import { parseTrustedSealKey, SealedCheckpoint, SealKey, sealMessage, trustedSealKeys, TrustedSealKeyError, verifySealSignature } from './seal-key';

const keyA = SealKey.fromBase64Seed(SealKey.generateSeed());
const keyB = SealKey.fromBase64Seed(SealKey.generateSeed());

function checkpoint(key: SealKey, seq: number): SealedCheckpoint {
  const c = { seq, head: randomBytes(32).toString('hex'), position: `100:${seq}`, sealedAt: '2025-09-15T03:00:00.000Z', keyId: key.keyId };
  return { ...c, signature: key.sign(sealMessage(c)).toString('base64') };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrustedSealKeyError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe(parseTrustedSealKey.name, () => {
  it('reads <base64> (no bound) and <base64>@<lastSeq>', () => {
    expect(parseTrustedSealKey(keyA.publicKeyBase64)).toEqual({ publicKey: keyA.publicKeyBase64 });
    expect(parseTrustedSealKey(`${keyA.publicKeyBase64}@7`)).toEqual({ publicKey: keyA.publicKeyBase64, lastSeq: 7 });
    expect(parseTrustedSealKey(` ${keyA.publicKeyBase64}@12000 `)).toEqual({ publicKey: keyA.publicKeyBase64, lastSeq: 12000 });
  });

  it('refuses a bad seq, naming the rule', () => {
    for (const seq of ['', '0', '-3', '7.5', '1e3', '07', 'x', '99999999999999999999']) {
      expect(messageOf(() => parseTrustedSealKey(`${keyA.publicKeyBase64}@${seq}`))).toBe(
        'has a last seq after "@" that is not a whole number of at least 1 (the seq of the last checkpoint the key signed)',
      );
    }
    expect(messageOf(() => parseTrustedSealKey(`${keyA.publicKeyBase64}@7@8`))).toBe('has more than one "@" (expected <base64> or <base64>@<last seq>)');
  });

  it('refuses bad base64 without echoing it', () => {
    const bad = [
      '@7',
      'not base64!',
      randomBytes(24).toString('base64'),
      randomBytes(33).toString('base64'),
      keyA.publicKeyBase64.slice(0, 43),
      `${keyA.publicKeyBase64.slice(0, 42)}-=`,
    ];
    for (const value of bad) {
      const message = messageOf(() => parseTrustedSealKey(value));
      expect(message).toMatch(/public key/);
      if (value.length > 2) expect(message).not.toContain(value.split('@')[0]);
    }
  });
});

describe(trustedSealKeys.name, () => {
  it('keeps the bound per key id; a key without one is trusted at any seq', () => {
    const keys = trustedSealKeys([`${keyA.publicKeyBase64}@6`, keyB.publicKeyBase64]);
    expect([...keys].map(([id, k]) => [id, k.lastSeq])).toEqual([
      [keyA.keyId, 6],
      [keyB.keyId, undefined],
    ]);
    expect(trustedSealKeys([{ publicKey: keyA.publicKeyBase64, lastSeq: 6 }]).get(keyA.keyId)?.lastSeq).toBe(6);
  });

  it('accepts the same key twice with the same bound, refuses it with different bounds', () => {
    expect(trustedSealKeys([`${keyA.publicKeyBase64}@6`, `${keyA.publicKeyBase64}@6`]).size).toBe(1);
    expect(messageOf(() => trustedSealKeys([`${keyA.publicKeyBase64}@6`, `${keyA.publicKeyBase64}@9`]))).toBe(
      `entry 2 repeats key ${keyA.keyId} with another bound (through seq 6 and through seq 9): give each key once`,
    );
    expect(messageOf(() => trustedSealKeys([keyB.publicKeyBase64, keyA.publicKeyBase64, `${keyA.publicKeyBase64}@9`]))).toBe(
      `entry 3 repeats key ${keyA.keyId} with another bound (no bound and through seq 9): give each key once`,
    );
  });

  it('names the malformed entry by its place', () => {
    expect(messageOf(() => trustedSealKeys([keyA.publicKeyBase64, `${keyB.publicKeyBase64}@0`]))).toMatch(
      /^entry 2 has a last seq after "@" that is not a whole number/,
    );
    expect(messageOf(() => trustedSealKeys([{ publicKey: keyA.publicKeyBase64, lastSeq: 0 }]))).toMatch(/^entry 1 has a last seq that is not a whole number/);
  });
});

describe(verifySealSignature.name, () => {
  it('accepts a bounded key up to its last seq and refuses it after, naming the seq and the retirement', () => {
    const keys = trustedSealKeys([`${keyA.publicKeyBase64}@7`, keyB.publicKeyBase64]);
    expect(verifySealSignature(checkpoint(keyA, 3), keys)).toEqual({ ok: true });
    expect(verifySealSignature(checkpoint(keyA, 7), keys)).toEqual({ ok: true });
    expect(verifySealSignature(checkpoint(keyA, 12), keys)).toEqual({
      ok: false,
      reason: `checkpoint at seq 12 is signed by key ${keyA.keyId}, which was retired after seq 7`,
    });
    expect(verifySealSignature(checkpoint(keyB, 12), keys)).toEqual({ ok: true });
    // Unbounded (as before): any seq.
    expect(verifySealSignature(checkpoint(keyA, 12), trustedSealKeys([keyA.publicKeyBase64]))).toEqual({ ok: true });
  });

  it('still checks the signature within the bound, and refuses a seq that is not a number', () => {
    const keys = trustedSealKeys([`${keyA.publicKeyBase64}@7`]);
    const forged = { ...checkpoint(keyA, 5), signature: checkpoint(keyA, 4).signature };
    expect(verifySealSignature(forged, keys)).toEqual({ ok: false, reason: 'checkpoint at seq 5: the signature does not verify' });
    const odd = { ...checkpoint(keyA, 5), seq: 'x' as unknown as number };
    expect(verifySealSignature(odd, keys).ok).toBe(false);
  });
});
