import { createRemoteJWKSet } from 'jose';
import type { PlatformConfig } from '../config/platform.config';
import type { AuthOptions } from './auth.types';

/** Token verification from configuration: any OIDC provider's JWKS and issuer. */
export function authOptionsFromConfig(config: PlatformConfig): AuthOptions | null {
  if (!config.AUTH_JWKS_URL || !config.AUTH_ISSUER) return null;
  return {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    keys: createRemoteJWKSet(new URL(config.AUTH_JWKS_URL)),
    algorithms: config.AUTH_ALGORITHMS.split(','),
    maxTokenAgeSeconds: config.AUTH_MAX_TOKEN_AGE_SECONDS,
  };
}
