import { developmentStandInsRefusal, isLoopbackHost, SANDBOX_DEVELOPMENT_SECRET, standaloneConfigProblems } from './deployment-rules';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', 'api.localhost', '::ffff:127.0.0.1'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.10', 'example.gov.vn', 'localhost.example.com', '128.0.0.1', ''])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('developmentStandInsRefusal (npm start on a network address)', () => {
  const configured = {
    AUTH_JWKS_URL: 'https://id.example.gov.vn/certs',
    AUTH_ISSUER: 'https://id.example.gov.vn',
    CHILDLEDGER_KEK: 'k',
    CHILDLEDGER_SEAL_KEY: 's',
    CHILDLEDGER_DEDUPE_KEY: 'd',
    PARTNER_SECRETS_FILE: '/run/secrets/partners.json',
  };

  it('lets npm start run every stand-in on a loopback host', () => {
    expect(developmentStandInsRefusal('127.0.0.1', {})).toBeUndefined();
  });

  it('refuses 0.0.0.0 with the development issuer and keys, in one line naming each variable', () => {
    const refusal = developmentStandInsRefusal('0.0.0.0', {});
    expect(refusal).toBeDefined();
    expect(refusal).not.toContain('\n');
    for (const v of [
      'HOST=0.0.0.0',
      'AUTH_JWKS_URL',
      'AUTH_ISSUER',
      'CHILDLEDGER_KEK',
      'CHILDLEDGER_SEAL_KEY',
      'CHILDLEDGER_DEDUPE_KEY',
      'PARTNER_SECRETS_FILE',
    ])
      expect(refusal).toContain(v);
  });

  it('names only what is still missing, and allows a network host once everything is configured', () => {
    const { CHILDLEDGER_SEAL_KEY: _seal, ...withoutSeal } = configured;
    const refusal = developmentStandInsRefusal('10.0.0.5', withoutSeal);
    expect(refusal).toContain('CHILDLEDGER_SEAL_KEY');
    expect(refusal).not.toContain('AUTH_JWKS_URL');
    expect(refusal).not.toContain('CHILDLEDGER_KEK,');
    expect(developmentStandInsRefusal('10.0.0.5', configured)).toBeUndefined();
  });

  it('counts an empty variable as unset', () => {
    expect(developmentStandInsRefusal('0.0.0.0', { ...configured, AUTH_ISSUER: '' })).toContain('AUTH_JWKS_URL and AUTH_ISSUER');
  });
});

describe('standaloneConfigProblems (a service on its own)', () => {
  const base = {
    DATABASE_URL: 'postgres://childledger_runtime@db/childledger',
    AUTH_JWKS_URL: 'https://id.example.gov.vn/certs',
    AUTH_ISSUER: 'https://id.example.gov.vn',
  };

  it('accepts https identity providers and a database URL', () => {
    expect(standaloneConfigProblems('query-api', base)).toEqual([]);
  });

  it('requires DATABASE_URL (no embedded PostgreSQL)', () => {
    const { DATABASE_URL: _d, ...env } = base;
    expect(standaloneConfigProblems('query-api', env)).toEqual([expect.stringMatching(/^DATABASE_URL: is required to run the query-api on its own/)]);
  });

  it('refuses http:// for the identity provider outside loopback, naming each variable without echoing it', () => {
    const problems = standaloneConfigProblems('query-api', {
      ...base,
      AUTH_JWKS_URL: 'http://id.example.gov.vn/certs',
      AUTH_ISSUER: 'http://id.example.gov.vn',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL: must be an https:\/\/ URL/),
      expect.stringMatching(/^AUTH_ISSUER: must be an https:\/\/ URL/),
    ]);
    expect(problems.join()).not.toContain('id.example.gov.vn');
  });

  it('accepts http:// to a loopback identity provider (a provider on the same host, tests)', () => {
    expect(standaloneConfigProblems('query-api', { ...base, AUTH_JWKS_URL: 'http://127.0.0.1:3100/jwks', AUTH_ISSUER: 'http://localhost:3100' })).toEqual([]);
  });

  it('refuses a URL that is neither https:// nor loopback http://', () => {
    expect(standaloneConfigProblems('query-api', { ...base, AUTH_ISSUER: 'ftp://id.example.gov.vn' })).toEqual([
      expect.stringMatching(/^AUTH_ISSUER: must be an https:\/\/ URL/),
    ]);
  });

  describe('identity adapter', () => {
    const adapter = { ...base, NATIONAL_REGISTRY_URL: 'https://dancu.example.gov.vn/api', NATIONAL_REGISTRY_CLIENT_SECRET: 'a-real-client-secret' };

    it('accepts the national database over https with its own secret', () => {
      expect(standaloneConfigProblems('identity-adapter', adapter)).toEqual([]);
    });

    it('never falls back to the sandbox or its development secret', () => {
      const { NATIONAL_REGISTRY_URL: _u, NATIONAL_REGISTRY_CLIENT_SECRET: _s, ...env } = adapter;
      const problems = standaloneConfigProblems('identity-adapter', env);
      expect(problems).toEqual([
        expect.stringMatching(/^NATIONAL_REGISTRY_URL: is required/),
        expect.stringMatching(/^NATIONAL_REGISTRY_CLIENT_SECRET: is required/),
      ]);
      expect(standaloneConfigProblems('identity-adapter', { ...adapter, NATIONAL_REGISTRY_CLIENT_SECRET: SANDBOX_DEVELOPMENT_SECRET })).toEqual([
        expect.stringMatching(/^NATIONAL_REGISTRY_CLIENT_SECRET: must not be the development default/),
      ]);
    });

    it('refuses http:// to the national database outside loopback', () => {
      expect(standaloneConfigProblems('identity-adapter', { ...adapter, NATIONAL_REGISTRY_URL: 'http://dancu.example.gov.vn/api' })).toEqual([
        expect.stringMatching(/^NATIONAL_REGISTRY_URL: must be an https:\/\/ URL/),
      ]);
      expect(standaloneConfigProblems('identity-adapter', { ...adapter, NATIONAL_REGISTRY_URL: 'http://127.0.0.1:3090/api/v1' })).toEqual([]);
    });

    it('accepts http:// inside a development network only when the national database is declared to be the sandbox (NATIONAL_REGISTRY_SANDBOX=true), still not its development secret', () => {
      const sandbox = { ...adapter, NATIONAL_REGISTRY_URL: 'http://population-registry-sandbox:3090' };
      expect(standaloneConfigProblems('identity-adapter', { ...sandbox, NATIONAL_REGISTRY_SANDBOX: 'true' })).toEqual([]);
      for (const value of ['1', 'yes', 'TRUE', '']) {
        expect(standaloneConfigProblems('identity-adapter', { ...sandbox, NATIONAL_REGISTRY_SANDBOX: value })).toEqual([
          expect.stringMatching(/^NATIONAL_REGISTRY_URL: must be an https:\/\/ URL/),
        ]);
      }
      expect(
        standaloneConfigProblems('identity-adapter', {
          ...sandbox,
          NATIONAL_REGISTRY_SANDBOX: 'true',
          NATIONAL_REGISTRY_CLIENT_SECRET: SANDBOX_DEVELOPMENT_SECRET,
        }),
      ).toEqual([expect.stringMatching(/^NATIONAL_REGISTRY_CLIENT_SECRET: must not be the development default/)]);
    });
  });

  it.each([
    ['population-registry-sandbox', 'SANDBOX_CLIENT_SECRET'],
    ['stream-gateway', 'PARTNER_TOKEN_SECRET'],
    ['log-sealer', 'CHILDLEDGER_SEAL_KEY'],
    ['registry-api', 'CHILDLEDGER_DEDUPE_KEY'],
  ])('the %s requires %s', (service, variable) => {
    expect(standaloneConfigProblems(service, base)).toEqual([expect.stringMatching(new RegExp(`^${variable}: is required to run the ${service} on its own`))]);
    expect(standaloneConfigProblems(service, { ...base, [variable]: 'x'.repeat(44) })).toEqual([]);
  });

  it('refuses the sandbox’s development secret for the sandbox itself', () => {
    expect(standaloneConfigProblems('population-registry-sandbox', { ...base, SANDBOX_CLIENT_SECRET: SANDBOX_DEVELOPMENT_SECRET })).toEqual([
      expect.stringMatching(/^SANDBOX_CLIENT_SECRET: must not be the development default/),
    ]);
  });
});
