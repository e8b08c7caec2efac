export * from './auth.types';
export * from './auth.decorators';
export * from './auth.guard';
export * from './jurisdiction';
export * from './dev-issuer';
export * from './auth-options';
export * from './dev-issuer.app';
export * from './dev-issuer.oidc';
