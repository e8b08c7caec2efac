import type { User } from 'oidc-client-ts';

export const ROLES = ['data_officer', 'case_worker', 'inspector', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in person, from the ID token's claims (the same claims the services read from the access token). */
export interface SessionUser {
  name: string;
  role: Role | null;
  provinces: string[];
  communes: string[];
}

const codes = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export function sessionUserOf(user: User): SessionUser {
  const p = user.profile as Record<string, unknown>;
  const role = typeof p['role'] === 'string' && (ROLES as readonly string[]).includes(p['role']) ? (p['role'] as Role) : null;
  return { name: typeof p['name'] === 'string' ? p['name'] : user.profile.sub, role, provinces: codes(p['provinces']), communes: codes(p['communes']) };
}
