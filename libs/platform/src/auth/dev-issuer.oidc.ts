import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider' with { 'resolution-mode': 'import' };
import type { AuthenticatedUser } from './auth.types';
import { DEV_AUDIENCE, DEV_USERS, DevIssuer, DevUserName } from './dev-issuer';

/** The resource indicator of the ChildLedger APIs: access tokens for it are JWTs with the services' audience. */
export const DEV_RESOURCE = 'urn:childledger:api';
/** The resource server's one scope: the console asks for it beside openid and profile. */
export const DEV_API_SCOPE = 'childledger';

/** A browser application that signs in with authorization code + PKCE (no secret). */
export interface DevOidcClient {
  clientId: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface DevOidcOptions {
  clients: DevOidcClient[];
  /** `aud` of access tokens; the services' AUTH_AUDIENCE. */
  audience?: string;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface DevOidc {
  /** Handles every OpenID Connect route (discovery, JWKS, authorize, token, end session). */
  callback: NodeHandler;
  /** The Vietnamese login page listing the seeded users. */
  loginPage(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Finishes the login with the chosen seeded user. */
  login(req: IncomingMessage, res: ServerResponse, username: string | undefined): Promise<void>;
}

const ROLE_VI: Record<AuthenticatedUser['role'], string> = {
  data_officer: 'Cán bộ dữ liệu',
  case_worker: 'Cán bộ quản lý trường hợp',
  inspector: 'Thanh tra',
  admin: 'Quản trị',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function byUserId(userId: string): AuthenticatedUser | undefined {
  return Object.values(DEV_USERS).find((u) => u.userId === userId);
}

function unitOf(user: AuthenticatedUser): string {
  if (user.communes.length) return `xã/phường ${user.communes.join(', ')}`;
  if (user.provinces.length) return `tỉnh/thành phố ${user.provinces.join(', ')}`;
  return 'toàn quốc';
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f5f5f5;margin:0;padding:24px;color:#1f1f1f}
main{max-width:480px;margin:0 auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 8px}p{margin:0 0 16px;color:#434343}
ul{list-style:none;padding:0;margin:0}li{margin:0 0 8px}
button{width:100%;text-align:left;font:inherit;padding:12px 16px;border:1px solid #d9d9d9;border-radius:6px;background:#fff;cursor:pointer;color:#1f1f1f}
button:hover,button:focus{border-color:#0958d9;outline:2px solid #0958d9;outline-offset:1px}
.role{display:block;color:#434343;font-size:.9rem}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function loginHtml(uid: string): string {
  const users = (Object.entries(DEV_USERS) as [DevUserName, AuthenticatedUser][])
    .map(
      ([username, u]) =>
        `<li><button type="submit" name="username" value="${escapeHtml(username)}">${escapeHtml(u.name)}<span class="role">${escapeHtml(ROLE_VI[u.role])}, ${escapeHtml(unitOf(u))}</span></button></li>`,
    )
    .join('');
  return page(
    'Đăng nhập ChildLedger',
    `<h1>Đăng nhập ChildLedger</h1>
<p>Máy chủ định danh phát triển: chọn một người dùng mẫu để đăng nhập.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login" aria-label="Chọn người dùng"><ul>${users}</ul></form>`,
  );
}

/**
 * The development issuer's OpenID Connect face, on `oidc-provider` (a certified implementation):
 * authorization code with PKCE for the console's registered clients, a login page listing the seeded
 * users, and access tokens for the ChildLedger APIs as JWTs carrying the claims the AuthGuard reads,
 * signed by the same key as the issuer's `POST /token` development tokens, so both verify alike.
 */
export async function createDevOidc(issuer: DevIssuer, options: DevOidcOptions): Promise<DevOidc> {
  // oidc-provider is an ES module; Node (>= 20.19) loads it from this CommonJS code.
  const { default: Provider, errors } = await import('oidc-provider');
  const audience = options.audience ?? DEV_AUDIENCE;
  const clientOrigins = new Map(options.clients.map((c) => [c.clientId, new Set(c.redirectUris.map((u) => new URL(u).origin))]));

  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_name: 'ChildLedger console',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      // The issuer has one key, ES256, as for its development tokens.
      id_token_signed_response_alg: 'ES256',
    })),
    jwks: { keys: [await issuer.signingJwk()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], profile: ['name', 'role', 'provinces', 'communes'] },
    scopes: ['openid', 'offline_access'],
    pkce: { required: () => true },
    routes: { jwks: '/.well-known/jwks.json', token: '/oidc/token' },
    ttl: { AccessToken: 8 * 3600, IdToken: 8 * 3600, Interaction: 3600, Session: 12 * 3600, Grant: 12 * 3600, AuthorizationCode: 60 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin, client) => clientOrigins.get(client.clientId)?.has(origin) ?? false,
    // The console shows the name, role and unit from the ID token (no userinfo call).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page(
            'Đăng xuất',
            `<h1>Đăng xuất khỏi ChildLedger?</h1>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Đã đăng xuất', '<h1>Đã đăng xuất</h1>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEV_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== DEV_RESOURCE) throw new errors.InvalidTarget();
          return { scope: DEV_API_SCOPE, audience, accessTokenFormat: 'jwt', accessTokenTTL: 8 * 3600, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    findAccount: (_ctx, sub) => {
      const user = byUserId(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: () => ({ sub, name: user.name, role: user.role, provinces: user.provinces, communes: user.communes }) };
    },
    // The services' AuthGuard reads these claims from the access token, as from POST /token's tokens.
    extraTokenClaims: (_ctx, token) => {
      const user = 'accountId' in token && token.accountId ? byUserId(token.accountId) : undefined;
      return user ? { name: user.name, role: user.role, provinces: user.provinces, communes: user.communes } : undefined;
    },
    renderError: (ctx: KoaContextWithOIDC, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Lỗi đăng nhập',
        `<h1>Lỗi đăng nhập</h1><p>${escapeHtml(String(out['error'] ?? ''))}: ${escapeHtml(String(out['error_description'] ?? ''))}</p>`,
      );
    },
  };
  const provider = new Provider(issuer.issuer, configuration);

  return {
    callback: provider.callback() as unknown as NodeHandler,
    async loginPage(req, res) {
      const details = await provider.interactionDetails(req, res);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(loginHtml(details.uid));
    },
    async login(req, res, username) {
      const details = await provider.interactionDetails(req, res);
      if (!username || !(username in DEV_USERS)) {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page('Lỗi đăng nhập', `<h1>Lỗi đăng nhập</h1><p>username phải là một trong: ${Object.keys(DEV_USERS).join(', ')}</p>`));
        return;
      }
      const user = DEV_USERS[username as DevUserName];
      const clientId = String(details.params['client_id']);
      // Development only: the seeded user consents to what the registered console asks for.
      const grant = new provider.Grant({ accountId: user.userId, clientId });
      const requested = new Set(String(details.params['scope'] ?? '').split(' '));
      grant.addOIDCScope([...requested].filter((s) => ['openid', 'profile', 'offline_access'].includes(s)).join(' '));
      grant.addOIDCClaims(['name', 'role', 'provinces', 'communes']);
      if (requested.has(DEV_API_SCOPE)) grant.addResourceScope(DEV_RESOURCE, DEV_API_SCOPE);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: user.userId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    },
  };
}
