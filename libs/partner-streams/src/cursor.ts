/**
 * Feed cursors are opaque to partners: base64url of `<partner>:<sequence>`. Decoding checks the
 * shape and that the cursor was issued to the same partner, so a forged or foreign cursor is a
 * 400, not a silent read from elsewhere.
 */
export class InvalidCursorError extends Error {
  constructor(readonly reason: string) {
    super(`after: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

const SEQ = /^(0|[1-9]\d{0,17})$/;
const B64URL = /^[A-Za-z0-9_-]{1,200}$/;

export function encodeCursor(partnerId: string, sequence: bigint | string): string {
  return Buffer.from(`${partnerId}:${sequence.toString()}`, 'utf8').toString('base64url');
}

/** The sequence after which to read; `0n` for the start (an absent or empty cursor). */
export function decodeCursor(partnerId: string, cursor: string | undefined | null): bigint {
  if (cursor === undefined || cursor === null || cursor === '') return 0n;
  if (!B64URL.test(cursor)) throw new InvalidCursorError('is not a cursor this feed issued (not base64url)');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const i = text.lastIndexOf(':');
  if (i < 0) throw new InvalidCursorError('is not a cursor this feed issued');
  const owner = text.slice(0, i);
  const seq = text.slice(i + 1);
  if (!SEQ.test(seq)) throw new InvalidCursorError('is not a cursor this feed issued');
  if (owner !== partnerId) throw new InvalidCursorError('was issued for another feed');
  return BigInt(seq);
}

/**
 * The cursor is before the start of what the partner's outbox still retains: the events just
 * after it were pruned (retention). Never a silent gap: the reader is told where the retained
 * stream starts (`oldestCursor`, the cursor to pass as `after` to read its first retained event).
 */
export class CursorPrunedError extends Error {
  readonly oldestCursor: string;
  constructor(
    readonly partnerId: string,
    readonly after: bigint,
    /** The last outbox sequence pruned for this partner. */
    readonly prunedThrough: bigint,
  ) {
    const oldestCursor = encodeCursor(partnerId, prunedThrough);
    super(
      `after: the events after this cursor are older than this feed's retention and were deleted; ` +
        `the oldest available cursor is ${oldestCursor} (pass it as after, or omit after, to read from the oldest retained event)`,
    );
    this.name = 'CursorPrunedError';
    this.oldestCursor = oldestCursor;
  }
}
