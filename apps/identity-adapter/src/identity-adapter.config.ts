import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { PlatformConfig } from '@childledger/platform';

/** The adapter's own variables (README table), on top of the platform's. */
export class IdentityAdapterConfig extends PlatformConfig {
  /** Base URL of the national database's data-sharing interface; unset: the sandbox on HOST:SANDBOX_PORT. */
  @IsOptional() @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' }) NATIONAL_REGISTRY_URL?: string;
  @IsString() @MinLength(1) NATIONAL_REGISTRY_CLIENT_ID = 'childledger-identity-adapter';
  @IsString() @MinLength(8) NATIONAL_REGISTRY_CLIENT_SECRET = 'sandbox-development-secret';
  /** Per attempt. */
  @Type(() => Number) @IsInt() @Min(50) NATIONAL_REGISTRY_TIMEOUT_MS = 2000;
  @Type(() => Number) @IsInt() @Min(1) @Max(10) NATIONAL_REGISTRY_MAX_ATTEMPTS = 4;
  /** Client-side rate limit (calls per second). */
  @Type(() => Number) @IsInt() @Min(1) NATIONAL_REGISTRY_RATE_PER_SECOND = 50;
  /** Consecutive failures that open the circuit, and how long it stays open. */
  @Type(() => Number) @IsInt() @Min(1) NATIONAL_REGISTRY_BREAKER_THRESHOLD = 5;
  @Type(() => Number) @IsInt() @Min(100) NATIONAL_REGISTRY_HALF_OPEN_AFTER_MS = 10_000;
  /** A match model saved by `cli match --save-model`; unset: the engine's prior weights. */
  @IsOptional() @IsString() IDENTITY_MATCH_MODEL?: string;
}
