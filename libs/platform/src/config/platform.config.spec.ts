import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './load-config';
import { PlatformConfig } from './platform.config';

const key = () => randomBytes(32).toString('base64');

function problems(env: NodeJS.ProcessEnv): { problems: string[]; message: string } {
  try {
    loadConfig(PlatformConfig, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return { problems: (e as ConfigError).problems, message: (e as Error).message };
  }
  throw new Error('expected a ConfigError');
}

describe('PlatformConfig CHILDLEDGER_KEK_PREVIOUS', () => {
  const current = key();

  it('is optional, and accepts one or several distinct keys other than the current one', () => {
    expect(loadConfig(PlatformConfig, { CHILDLEDGER_KEK: current }).CHILDLEDGER_KEK_PREVIOUS).toBeUndefined();
    const a = key();
    const b = key();
    expect(loadConfig(PlatformConfig, { CHILDLEDGER_KEK: current, CHILDLEDGER_KEK_PREVIOUS: a }).CHILDLEDGER_KEK_PREVIOUS).toBe(a);
    expect(loadConfig(PlatformConfig, { CHILDLEDGER_KEK: current, CHILDLEDGER_KEK_PREVIOUS: `${a}, ${b}` }).CHILDLEDGER_KEK_PREVIOUS).toBe(`${a}, ${b}`);
  });

  it.each([
    ['not base64', () => `${key()},not*base64!`, /entry 2 is not base64/],
    ['a key of the wrong length', () => randomBytes(16).toString('base64'), /entry 1 must be the base64 encoding of 32 bytes \(it decodes to 16\)/],
    ['an empty entry', () => `${key()},,${key()}`, /entry 2 is empty/],
    [
      'a key given twice',
      () => {
        const a = key();
        return `${key()},${a},${a}`;
      },
      /entries 2 and 3 are the same key/,
    ],
    ['the current key', () => `${key()},${current}`, /entry 2 is the current key \(CHILDLEDGER_KEK\)/],
  ])('refuses %s, naming the variable and the rule, never echoing a key', (_what, value, rule) => {
    const previous = value();
    const { problems: found, message } = problems({ CHILDLEDGER_KEK: current, CHILDLEDGER_KEK_PREVIOUS: previous });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^CHILDLEDGER_KEK_PREVIOUS: /);
    expect(found[0]).toMatch(rule);
    for (const secret of [current, ...previous.split(',').filter((e) => e.length > 8)]) expect(message).not.toContain(secret);
    expect(message).not.toContain('base64!');
  });

  it('never echoes a malformed CHILDLEDGER_KEK either', () => {
    const { problems: found, message } = problems({ CHILDLEDGER_KEK: 'c2VjcmV0LWtleS10aGF0LWlzLXRvby1zaG9ydA==' });
    expect(found.map((p) => p.split(':')[0])).toEqual(['CHILDLEDGER_KEK']);
    expect(message).not.toContain('c2VjcmV0');
  });
});

describe('PlatformConfig PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS', () => {
  it('defaults to an hour and takes whole seconds from 60 to 86400', () => {
    expect(loadConfig(PlatformConfig, {}).PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS).toBe(3600);
    expect(loadConfig(PlatformConfig, { PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS: '60' }).PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS).toBe(60);
    expect(loadConfig(PlatformConfig, { PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS: '86400' }).PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS).toBe(86400);
  });

  it.each(['59', '86401', '1.5', 'hourly', '-60'])('refuses %s, naming the variable', (value) => {
    const { problems: found } = problems({ PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS: /);
  });
});
