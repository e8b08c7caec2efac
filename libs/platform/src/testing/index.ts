import { AuthenticatedUser, AuthOptions, DEV_USERS, DevIssuer, Role } from '../auth';

export interface TestAuth {
  auth: AuthOptions;
  issuer: DevIssuer;
  users: typeof DEV_USERS;
  tokenFor(user: Partial<AuthenticatedUser> & { role: Role }, options?: { expiresIn?: string; audience?: string; issuer?: string }): Promise<string>;
}

/** Real signed tokens for tests: the guard verifies them exactly as in production. */
export async function createTestAuth(): Promise<TestAuth> {
  const issuer = await DevIssuer.create('urn:childledger:test-issuer');
  return {
    auth: issuer.authOptions(),
    issuer,
    users: DEV_USERS,
    tokenFor: (user, options) =>
      issuer.tokenFor(
        {
          userId: user.userId ?? `test-${user.role}`,
          name: user.name ?? user.role,
          role: user.role,
          provinces: user.provinces ?? [],
          communes: user.communes ?? [],
        },
        options,
      ),
  };
}
