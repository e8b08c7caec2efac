import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** The console's server: its port and the OpenID provider the browser signs in with. */
export class ConsoleConfig {
  /** Port of the console (static build + same-origin proxy to the APIs). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) CONSOLE_PORT = 3200;

  /** Issuer URL of the OpenID provider the console signs in with (its discovery document is at /.well-known/openid-configuration). Unset under `npm start`: the development issuer. */
  @IsOptional() @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' }) CONSOLE_OIDC_ISSUER?: string;

  /** The console's client id at that provider (a public client: authorization code + PKCE, no secret). */
  @IsString() @Matches(/^[\w.:-]+$/, { message: 'must be a client id (letters, digits, . _ : -)' }) CONSOLE_OIDC_CLIENT_ID = 'childledger-console';

  /** Scopes the console asks for; the access token must carry the claims the services read (sub, name, role, provinces, communes). */
  @IsString() CONSOLE_OIDC_SCOPE = 'openid profile childledger';
}
