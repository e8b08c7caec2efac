import { Type } from 'class-transformer';
import { insecureUrlProblem } from '@childledger/platform/config';
import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

/** The console's server: its port and the OpenID provider the browser signs in with. */
export class ConsoleConfig {
  /** Port of the console (static build + same-origin proxy to the APIs). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) CONSOLE_PORT = 3200;

  /** Issuer URL of the OpenID provider the console signs in with (its discovery document is at /.well-known/openid-configuration). Unset under `npm start`: the development issuer. */
  @IsOptional() @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' }) CONSOLE_OIDC_ISSUER?: string;

  /** The console's client id at that provider (a public client: authorization code + PKCE, no secret). */
  @IsString() @Matches(/^[\w.:-]+$/, { message: 'must be a client id (letters, digits, . _ : -)' }) CONSOLE_OIDC_CLIENT_ID = 'childledger-console';

  /** Interface to listen on (`npm start` uses the platform's HOST; the image sets 0.0.0.0). */
  @IsString() HOST = '127.0.0.1';

  /** The registry API behind `/registry/*` on the console's origin; unset: not proxied (an Ingress routes it). */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) CONSOLE_REGISTRY_URL?: string;

  /** The query API behind `/query/*`; unset: not proxied. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) CONSOLE_QUERY_URL?: string;

  /** The stream gateway behind `/gateway/*` (partner agreements, for admins); unset: not proxied. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) CONSOLE_GATEWAY_URL?: string;

  /** The static build to serve; unset: `static/` beside the built main.js. */
  @IsOptional() @IsString() CONSOLE_STATIC_DIR?: string;

  /** Scopes the console asks for; the access token must carry the claims the services read (sub, name, role, provinces, communes). */
  @IsString() CONSOLE_OIDC_SCOPE = 'openid profile childledger';
}

/** What stops the console from running on its own, one line per variable (nothing falls back to a development default). */
export function consoleConfigProblems(config: ConsoleConfig): string[] {
  if (!config.CONSOLE_OIDC_ISSUER) return ['CONSOLE_OIDC_ISSUER: is required to run the console on its own (the OpenID provider its users sign in with)'];
  return insecureUrlProblem('CONSOLE_OIDC_ISSUER', config.CONSOLE_OIDC_ISSUER);
}
