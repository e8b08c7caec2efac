import type { JWTVerifyGetKey } from 'jose';

export const ROLES = ['data_officer', 'case_worker', 'inspector', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The person behind a request, from the verified token's claims. */
export interface AuthenticatedUser {
  userId: string;
  name: string;
  role: Role;
  /** 2-digit province codes the user works for (an admin works everywhere). */
  provinces: string[];
  /** 5-digit commune codes, for commune-level staff; empty for province-level staff. */
  communes: string[];
}

export interface AuthOptions {
  issuer: string;
  audience: string;
  /** Where verification keys come from: a remote JWKS (any OIDC provider) or a local key set. */
  keys: JWTVerifyGetKey;
  /** Signature algorithms accepted (pinned: a token's own `alg` header never widens it). Default: DEFAULT_TOKEN_ALGORITHMS. */
  algorithms?: readonly string[];
  /** Oldest `iat` accepted, in seconds, whatever the token's `exp` says. Default: DEFAULT_MAX_TOKEN_AGE_SECONDS. */
  maxTokenAgeSeconds?: number;
}

/** The asymmetric algorithms OIDC providers sign access tokens with; never `none` or an HMAC. */
export const DEFAULT_TOKEN_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];
/** A working day: a token issued longer ago is refused even if it claims a later expiry. */
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 12 * 3600;

export const AUTH_OPTIONS = Symbol('AuthOptions');
