import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { RegistryError } from '@childledger/domain';
import { IdempotencyConflictError, WrongExpectedVersionError } from '@childledger/event-store';
import { AccessDeniedError, IdempotencyKeyReusedError, ImportFileError } from '@childledger/registry';
import type { ErrorBody, FieldError } from './validation';
import { statusOfRegistryError } from './registry-error.status';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
};

function body(statusCode: number, message: string, errors: FieldError[], extra: Partial<ErrorBody> = {}): ErrorBody {
  return { statusCode, error: REASON[statusCode] ?? 'Error', message, ...extra, errors };
}

/**
 * Every error leaves as the same JSON shape, `{ statusCode, error, message, errors: [{ field, rule,
 * message }] }`: domain errors by their code, version conflicts as 409, access refusals as 403,
 * Nest's own HTTP errors (401 from the guard, body-parser's 400 and 413) reshaped, anything else a
 * 500 that says nothing about the internals.
 */
@Catch()
export class RegistryExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('RegistryExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const out = this.toBody(exception);
    if (out.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (res.headersSent) return;
    res.status(out.statusCode).json(out);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof RegistryError) {
      const status = statusOfRegistryError(exception.code);
      return body(status, exception.message, [{ field: exception.field ?? null, rule: exception.code, message: exception.message }], {
        code: exception.code,
        ...(exception.details ? { details: { ...exception.details } } : {}),
      });
    }
    if (exception instanceof WrongExpectedVersionError) {
      const message = `the record changed: it is at revision ${exception.actualRevision ?? 'none'}, not ${String(exception.expectedRevision)}`;
      return body(HttpStatus.CONFLICT, message, [{ field: 'If-Match', rule: 'VERSION_CONFLICT', message }], {
        code: 'VERSION_CONFLICT',
        details: { expectedRevision: exception.expectedRevision, actualRevision: exception.actualRevision },
      });
    }
    if (exception instanceof IdempotencyConflictError) {
      return body(HttpStatus.CONFLICT, 'a concurrent request wrote these events', [{ field: null, rule: 'IDEMPOTENCY_CONFLICT', message: exception.message }], {
        code: 'IDEMPOTENCY_CONFLICT',
      });
    }
    if (exception instanceof IdempotencyKeyReusedError) {
      return body(
        HttpStatus.UNPROCESSABLE_ENTITY,
        exception.message,
        [{ field: 'Idempotency-Key', rule: 'IDEMPOTENCY_KEY_REUSED', message: exception.message }],
        {
          code: 'IDEMPOTENCY_KEY_REUSED',
        },
      );
    }
    if (exception instanceof AccessDeniedError) {
      const rule = exception.reason === 'role' ? 'ROLE' : 'JURISDICTION';
      return body(HttpStatus.FORBIDDEN, exception.message, [{ field: null, rule, message: exception.message }], { code: `FORBIDDEN_${rule}` });
    }
    if (exception instanceof ImportFileError) {
      return body(HttpStatus.UNPROCESSABLE_ENTITY, exception.message, [{ field: 'file', rule: 'IMPORT_FILE', message: exception.message }], {
        code: 'IMPORT_FILE',
      });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && Array.isArray((response as ErrorBody).errors)) return response as ErrorBody;
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
      return body(status, message, [{ field: fieldOfHttpError(status), rule: ruleOfHttpError(status, message), message }]);
    }
    // body-parser's own errors (http-errors): 413 for a body over the limit, 400 for bad JSON or encoding.
    const httpError = exception as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
    if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true) {
      const status = httpError.status;
      const message = status === 413 ? 'the request body is too large' : String(httpError.message);
      return body(status, message, [{ field: 'body', rule: ruleOfHttpError(status, message), message }]);
    }
    return body(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error', []);
  }
}

function fieldOfHttpError(status: number): string | null {
  if (status === 401) return 'Authorization';
  if (status === 400 || status === 413 || status === 415) return 'body';
  return null;
}

function ruleOfHttpError(status: number, message: string): string {
  switch (status) {
    case 400:
      return /JSON/i.test(message) ? 'MALFORMED_JSON' : 'BAD_REQUEST';
    case 401:
      return 'AUTHENTICATION';
    case 403:
      return /role/i.test(message) ? 'ROLE' : 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'BODY_TOO_LARGE';
    case 415:
      return 'MEDIA_TYPE';
    default:
      return 'HTTP_ERROR';
  }
}
