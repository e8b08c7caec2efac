/**
 * A rule of the domain was broken. `code` is stable (transports map it in one exhaustive switch);
 * `field` names the command field concerned (dotted path, e.g. `residence.communeCode`) so an API
 * can point at it.
 */
export abstract class DomainError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly field?: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
