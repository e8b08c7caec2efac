/**
 * The Idempotency-Key of a form's submission: one per content. Sending the same content again (a
 * double click, a retry after a dropped connection) reuses the key, so the API answers with the
 * first result and writes nothing twice; changed content is a new submission with a new key.
 */
export class SubmissionKeys {
  private last: { content: string; key: string } | undefined;

  constructor(private readonly newKey: () => string = () => crypto.randomUUID()) {}

  keyFor(body: unknown): string {
    const content = JSON.stringify(body);
    if (this.last?.content !== content) this.last = { content, key: this.newKey() };
    return this.last.key;
  }

  /** After a success: the next submission is a new one even with the same content. */
  done(): void {
    this.last = undefined;
  }
}
