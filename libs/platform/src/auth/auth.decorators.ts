import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthenticatedUser, Role } from './auth.types';

export const ROLES_KEY = 'childledger:roles';
export const PUBLIC_KEY = 'childledger:public';

/** Only these roles may call the route (403 for others). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** No token needed. Only for health probes: every other endpoint requires authentication. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const req = ctx.switchToHttp().getRequest<{ user?: AuthenticatedUser }>();
  if (!req.user) throw new Error('CurrentUser used on a route without authentication');
  return req.user;
});
