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
    return createHmac('sha256', this.secret).update(childId).digest('hex');
  }

  identifier(kind: 'case' | 'intervention' | 'child', id: string): string {
    if (kind === 'child') return this.child(id);
    return createHmac('sha256', this.secret).update(`${kind}:${id}`).digest('hex');
  }
}
