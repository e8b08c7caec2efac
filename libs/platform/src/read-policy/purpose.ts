import { BadRequestException } from '@nestjs/common';

/** Why someone reads a child's or a case's personal data; stated on every such read and kept in the read audit. */
export const PURPOSES = ['case_work', 'reconciliation', 'inspection', 'statistics', 'data_correction'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** What the OpenAPI documents say about the parameter (query `purpose` or header `X-Purpose`). */
export const PURPOSE_DESCRIPTION = `why the personal data is read: one of ${PURPOSES.join(', ')} (query parameter purpose or header X-Purpose)`;

/**
 * A refusal of a read without a valid purpose: 400, naming the field and the rule. The body carries
 * both shapes the APIs use (`field` at the top, as the query API's errors do, and the registry
 * API's `errors: [{ field, rule, message }]`), so that every service answers it alike.
 */
export class PurposeRequiredException extends BadRequestException {
  constructor(
    readonly rule: 'PURPOSE_REQUIRED' | 'PURPOSE_UNKNOWN',
    message: string,
  ) {
    super({ statusCode: 400, error: 'Bad Request', message, field: 'purpose', rule, errors: [{ field: 'purpose', rule, message }] });
  }
}

/**
 * The stated purpose of a read of personal data: `?purpose=` or the `X-Purpose` header (the query
 * parameter wins when both are given). Missing or unknown: a 400 naming `purpose`; the value sent
 * is never echoed.
 */
export function requirePurpose(query: string | undefined, header: string | undefined): Purpose {
  const value = query ?? header;
  if (value === undefined || value === '') {
    throw new PurposeRequiredException(
      'PURPOSE_REQUIRED',
      `purpose is required to read personal data (query parameter purpose or header X-Purpose): one of ${PURPOSES.join(', ')}`,
    );
  }
  if (!(PURPOSES as readonly string[]).includes(value)) {
    throw new PurposeRequiredException('PURPOSE_UNKNOWN', `purpose must be one of ${PURPOSES.join(', ')}`);
  }
  return value as Purpose;
}
