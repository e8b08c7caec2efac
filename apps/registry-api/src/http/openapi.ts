import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

/** The headers every command takes. */
export function CommandHeaders(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag (revision) you last saw; 409 if the record changed since' }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retries with the same key return the first result and write nothing' }),
  );
}

/** The answers every command may give. */
export function CommandResponses(success: HttpStatus = HttpStatus.OK): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status: success, description: 'Written: `{ id, streamId, revision, events }`, with the new revision as ETag' }),
    ApiResponse({ status: 400, description: 'A field breaks a rule: `errors` names each field and rule' }),
    ApiResponse({ status: 401, description: 'No valid bearer token' }),
    ApiResponse({ status: 403, description: 'Role or jurisdiction does not allow it' }),
    ApiResponse({ status: 404, description: 'No such child or case' }),
    ApiResponse({ status: 409, description: "Conflicts with the record's state, or the record changed since If-Match" }),
    ApiResponse({ status: 413, description: 'Body too large' }),
    ApiResponse({ status: 422, description: 'Breaks a rule of the domain (age, dates, personal ID, commune), or an Idempotency-Key reused for another request' }),
  );
}
