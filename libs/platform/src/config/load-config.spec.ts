import { ConfigError, loadConfig } from './load-config';
import { PlatformConfig } from './platform.config';

describe(loadConfig.name, () => {
  it('applies defaults and converts numbers', () => {
    const c = loadConfig(PlatformConfig, { REGISTRY_API_PORT: '4000' });
    expect(c.REGISTRY_API_PORT).toBe(4000);
    expect(c.EVENT_STORE_BACKEND).toBe('postgres');
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('fails with every bad variable named, and never echoes a connection string', () => {
    let error: unknown;
    try {
      loadConfig(PlatformConfig, {
        REGISTRY_API_PORT: 'abc',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://user:hunter2@db/x',
        EVENT_STORE_BACKEND: 'eventstoredb',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'EVENTSTORE_URL', 'LOG_LEVEL', 'REGISTRY_API_PORT']);
    expect((error as Error).message).not.toContain('hunter2');
    expect(problems.find((p) => p.startsWith('LOG_LEVEL'))).toContain('"loud"');
  });
});
