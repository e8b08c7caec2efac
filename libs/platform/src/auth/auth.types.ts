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
}

export const AUTH_OPTIONS = Symbol('AuthOptions');
