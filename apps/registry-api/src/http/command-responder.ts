import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import type { CaseCommand, ChildCommand } from '@childledger/domain';
import type { AuthenticatedUser } from '@childledger/platform';
import {
  CommandResponseBody,
  IdempotencyKeyReusedError,
  IdempotencyStore,
  RegistryCommand,
  RegistryKeys,
  RequestContext,
  responseBodyOf,
  StoredIdempotentResult,
} from '@childledger/registry';
import { RequestValidationException } from './validation';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const REVISION_TAG = /^(?:W\/)?"?(\d{1,15})"?$/;

export type AuthenticatedRequest = Request & { user: AuthenticatedUser; id?: string | number };

/** The entity tag of a stream revision. */
export function etagOf(revision: number): string {
  return `"${revision}"`;
}

/** `If-Match: "3"` (or `W/"3"`, or `3`) → 3; `*` or absent → undefined; anything else is a 400. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const m = REVISION_TAG.exec(header.trim());
  if (!m) {
    throw new RequestValidationException([{ field: 'If-Match', rule: 'isRevisionTag', message: 'If-Match must be the ETag of the record, e.g. "3"' }]);
  }
  return Number(m[1]);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs registry commands for controllers: reads `If-Match` and `Idempotency-Key`, replays a stored
 * result for a key already used (422 if it was used for another request), sends the command on
 * the bus, and answers with the status, the `ETag` of the new revision and the result.
 */
@Injectable()
export class CommandResponder {
  constructor(
    private readonly bus: CommandBus,
    private readonly idempotency: IdempotencyStore,
    private readonly keys: RegistryKeys,
  ) {}

  requestContext(req: AuthenticatedRequest, status: number, metadata?: RequestContext['metadata']): RequestContext {
    const expectedRevision = parseIfMatch(req.header('if-match'));
    const key = req.header(IDEMPOTENCY_KEY_HEADER);
    let idempotency: RequestContext['idempotency'];
    if (key !== undefined) {
      if (!IDEMPOTENCY_KEY.test(key)) {
        throw new RequestValidationException([
          { field: 'Idempotency-Key', rule: 'isIdempotencyKey', message: 'Idempotency-Key must be 1 to 200 visible ASCII characters' },
        ]);
      }
      // A keyed hash (HMAC): the stored fingerprint does not let anyone test guesses of the body's personal data.
      const fingerprint = this.keys.fingerprint(`${req.method} ${req.path}\n${expectedRevision ?? ''}\n${canonicalJson(req.body ?? {})}`);
      idempotency = { key, fingerprint, status };
    }
    return {
      user: req.user,
      correlationId: String(req.id ?? ''),
      source: 'api',
      ...(metadata ? { metadata } : {}),
      ...(expectedRevision === undefined ? {} : { expectedRevision }),
      ...(idempotency ? { idempotency } : {}),
    };
  }

  async run(
    req: AuthenticatedRequest,
    res: Response,
    status: number,
    build: (request: RequestContext) => RegistryCommand<ChildCommand> | RegistryCommand<CaseCommand>,
    options: { metadata?: RequestContext['metadata']; afterCommit?: () => Promise<void> } = {},
  ): Promise<CommandResponseBody> {
    const request = this.requestContext(req, status, options.metadata);
    const claim = request.idempotency;
    if (claim) {
      const stored = await this.idempotency.find(request.user.userId, claim.key);
      if (stored) return this.replay(res, stored, claim.fingerprint);
    }
    try {
      const result = await this.bus.execute(build(request));
      await options.afterCommit?.();
      res.status(status).setHeader('ETag', etagOf(result.revision));
      return responseBodyOf(result);
    } catch (err) {
      // A concurrent request with the same key may have won; answer as it did.
      if (claim) {
        const stored = await this.idempotency.find(request.user.userId, claim.key);
        if (stored) return this.replay(res, stored, claim.fingerprint);
      }
      throw err;
    }
  }

  private replay(res: Response, stored: StoredIdempotentResult, fingerprint: string): CommandResponseBody {
    if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(res.req.header(IDEMPOTENCY_KEY_HEADER) ?? '');
    res.status(stored.status).setHeader('ETag', etagOf(stored.result.revision));
    res.setHeader('Idempotent-Replayed', 'true');
    return stored.result;
  }
}
