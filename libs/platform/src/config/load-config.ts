import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

// KEK: CHILDLEDGER_KEK and CHILDLEDGER_KEK_PREVIOUS are keys whose names do not contain KEY.
const SECRET_LIKE = /SECRET|PASSWORD|TOKEN|KEY|KEK|URL/i;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(e: ValidationError): string {
  const rules = Object.values(e.constraints ?? {}).join('; ');
  // Values of secrets and connection strings are never echoed.
  const shown = SECRET_LIKE.test(e.property) ? '' : ` (got ${JSON.stringify(e.value)})`;
  return `${e.property}: ${rules}${shown}`;
}

/**
 * Reads and validates the environment once, at boot, into a typed class (class-validator
 * decorators, class-transformer for numbers and booleans). Throws a ConfigError naming every
 * bad variable, so a misconfigured service fails fast with the whole list.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(cls, present, { exposeDefaultValues: true, enableImplicitConversion: false });
  const errors = validateSync(config, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) throw new ConfigError(errors.map(describe));
  return config;
}
