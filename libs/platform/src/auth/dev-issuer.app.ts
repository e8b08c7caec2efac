import { BadRequestException, Body, Controller, DynamicModule, Get, HttpCode, Inject, INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DEV_USERS, DevIssuer, DevUserName } from './dev-issuer';

const DEV_ISSUER = Symbol('DevIssuer');

/** The development identity provider's HTTP face: discovery, JWKS, and tokens for the seeded users. */
@Controller()
class DevIssuerController {
  constructor(@Inject(DEV_ISSUER) private readonly issuer: DevIssuer) {}

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

export async function createDevIssuerApp(issuer: DevIssuer): Promise<INestApplication> {
  return NestFactory.create(DevIssuerModule.forRoot(issuer), { logger: ['error', 'warn'] });
}
