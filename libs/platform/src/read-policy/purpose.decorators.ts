import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import { Purpose, PURPOSE_DESCRIPTION, PURPOSES, requirePurpose } from './purpose';

/** The stated purpose of the request (`?purpose=` or `X-Purpose`), or the 400 of requirePurpose. */
export const ReadPurpose = createParamDecorator((_: unknown, ctx: ExecutionContext): Purpose => {
  const req = ctx.switchToHttp().getRequest<{ query: Record<string, unknown>; headers: Record<string, string | undefined> }>();
  return requirePurpose(req.query['purpose'] as string | undefined, req.headers['x-purpose']);
});

/** The OpenAPI description of the two ways to state a purpose. */
export const ApiPurpose = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiQuery({ name: 'purpose', required: false, enum: PURPOSES, description: PURPOSE_DESCRIPTION }),
    ApiHeader({ name: 'X-Purpose', required: false, enum: PURPOSES, description: PURPOSE_DESCRIPTION }),
  );
