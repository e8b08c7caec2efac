import { BadRequestException, Body, Controller, DynamicModule, Get, HttpCode, Inject, INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { DEV_USERS, DevIssuer, DevUserName } from './dev-issuer';
import { createDevOidc, DevOidcOptions } from './dev-issuer.oidc';

const DEV_ISSUER = Symbol('DevIssuer');

/** The development identity provider's HTTP face: discovery, JWKS, and tokens for the seeded users. */
@Controller()
class DevIssuerController {
  constructor(@Inject(DEV_ISSUER) private readonly issuer: DevIssuer) {}

  // With OpenID Connect on, oidc-provider answers these two itself (same key, same URLs).
  @Get('.well-known/openid-configuration')
  discovery() {
    return { issuer: this.issuer.issuer, jwks_uri: `${this.issuer.issuer}/.well-known/jwks.json`, token_endpoint: `${this.issuer.issuer}/token` };
  }

  @Get('.well-known/jwks.json')
  jwks() {
    return this.issuer.jwks;
  }

  @Get('users')
  users() {
    return Object.entries(DEV_USERS).map(([username, u]) => ({ username, ...u }));
  }

  @Post('token')
  @HttpCode(200)
  async token(@Body() body: { username?: string }) {
    const username = body?.username as DevUserName | undefined;
    if (!username || !(username in DEV_USERS)) {
      throw new BadRequestException(`username must be one of ${Object.keys(DEV_USERS).join(', ')}`);
    }
    return { access_token: await this.issuer.tokenFor(DEV_USERS[username]), token_type: 'Bearer', expires_in: 12 * 3600 };
  }
}

@Module({})
class DevIssuerModule {
  static forRoot(issuer: DevIssuer): DynamicModule {
    return { module: DevIssuerModule, controllers: [DevIssuerController], providers: [{ provide: DEV_ISSUER, useValue: issuer }] };
  }
}

/**
 * The development issuer. Always: `POST /token {"username"}`, `GET /users` and the JWKS. With
 * `oidc` (npm start): also OpenID Connect on the same port and key, authorization code + PKCE for
 * the registered clients, with a login page listing the seeded users (dev-issuer.oidc.ts).
 */
export async function createDevIssuerApp(issuer: DevIssuer, oidc?: DevOidcOptions): Promise<INestApplication> {
  if (!oidc) return NestFactory.create(DevIssuerModule.forRoot(issuer), { logger: ['error', 'warn'] });
  // oidc-provider reads its own request bodies: no global body parser in front of it.
  const app = await NestFactory.create<NestExpressApplication>(DevIssuerModule.forRoot(issuer), { logger: ['error', 'warn'], bodyParser: false });
  const provider = await createDevOidc(issuer, oidc);
  const json = express.json();
  const form = express.urlencoded({ extended: false });
  const loginRoute = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    const login = loginRoute.exec(req.path);
    if (login && req.method === 'GET' && !login[2]) return void provider.loginPage(req, res).catch(next);
    if (login && req.method === 'POST' && login[2]) {
      return form(req, res, () => void provider.login(req, res, (req.body as { username?: string } | undefined)?.username).catch(next));
    }
    // The development tokens of POST /token {"username"} and the user list stay Nest's routes.
    if (req.path === '/token' && req.method === 'POST') return json(req, res, next);
    if (req.path === '/users' && req.method === 'GET') return next();
    provider.callback(req, res);
  });
  return app;
}
