import { createHmac } from 'node:crypto';

/**
 * A partner's name for an internal identifier: HMAC-SHA256 under that partner's own secret,
 * hex. Two partners get unrelated keys for the same child, so they cannot join on it.
 * The child key is the HMAC of the bare child id (as the issue states it); other identifiers
 * are prefixed with their kind so that a case id can never collide with a child id's key.
 */
export class Pseudonymiser {
  constructor(private readonly secret: string | Buffer) {
    if (secret.length < 16) throw new Error('a pseudonymisation secret must be at least 16 bytes');
  }

  child(childId: string): string {
    return this.remembered(childId);
  }

  identifier(kind: 'case' | 'intervention' | 'child', id: string): string {
    if (kind === 'child') return this.child(id);
    return this.remembered(`${kind}:${id}`);
  }

  /**
   * The HMAC of `input`, remembered for the next events of the same child or case (a backfill
   * names each child several times; the HMAC was a fifth of the partner projection's CPU). The
   * keys are what this partner receives anyway; the memory is bounded.
   */
  private remembered(input: string): string {
    let key = this.seen.get(input);
    if (key === undefined) {
      key = createHmac('sha256', this.secret).update(input).digest('hex');
      if (this.seen.size >= REMEMBERED) this.seen.clear();
      this.seen.set(input, key);
    }
    return key;
  }

  private readonly seen = new Map<string, string>();
}
const REMEMBERED = 100_000;
