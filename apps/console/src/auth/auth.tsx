import { User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { RuntimeConfig } from '../app/runtime-config';
import { SessionUser, sessionUserOf } from './session-user';

export const CALLBACK_PATH = '/auth/callback';

/** Authorization code + PKCE against the configured provider; tokens kept for this tab only. */
export function createUserManager(config: RuntimeConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.oidc.issuer,
    client_id: config.oidc.clientId,
    scope: config.oidc.scope,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
  });
}

interface AuthState {
  user: SessionUser | null;
  /** The access token for the APIs, or null when signed out or expired. */
  accessToken(): string | null;
  signIn(returnTo?: string): Promise<void>;
  completeSignIn(): Promise<string>;
  signOut(): Promise<void>;
  ready: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ manager, children }: { manager: UserManager; children: ReactNode }) {
  const [oidcUser, setOidcUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let live = true;
    void manager.getUser().then((u) => {
      if (!live) return;
      setOidcUser(u && !u.expired ? u : null);
      setReady(true);
    });
    const onLoaded = (u: User) => setOidcUser(u);
    const onGone = () => setOidcUser(null);
    manager.events.addUserLoaded(onLoaded);
    manager.events.addUserUnloaded(onGone);
    manager.events.addAccessTokenExpired(onGone);
    return () => {
      live = false;
      manager.events.removeUserLoaded(onLoaded);
      manager.events.removeUserUnloaded(onGone);
      manager.events.removeAccessTokenExpired(onGone);
    };
  }, [manager]);

  const signIn = useCallback((returnTo?: string) => manager.signinRedirect({ state: { returnTo: returnTo ?? '/' } }), [manager]);
  const completeSignIn = useCallback(async () => {
    const u = await manager.signinRedirectCallback();
    setOidcUser(u);
    const state = u.state as { returnTo?: string } | undefined;
    return state?.returnTo && state.returnTo.startsWith('/') ? state.returnTo : '/';
  }, [manager]);
  const signOut = useCallback(async () => {
    const u = await manager.getUser();
    await manager.removeUser();
    // Ends the provider's session too, so the next person at this desk picks their own account.
    await manager.signoutRedirect({ id_token_hint: u?.id_token });
  }, [manager]);

  const value = useMemo<AuthState>(
    () => ({
      user: oidcUser ? sessionUserOf(oidcUser) : null,
      accessToken: () => (oidcUser && !oidcUser.expired ? oidcUser.access_token : null),
      signIn,
      completeSignIn,
      signOut,
      ready,
    }),
    [oidcUser, signIn, completeSignIn, signOut, ready],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
