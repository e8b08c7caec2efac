import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { PlatformConfig } from '@childledger/platform';

/** The sandbox's own variables (README table), on top of the platform's. */
export class SandboxConfig extends PlatformConfig {
  /** OAuth2 client the identity adapter uses. */
  @IsString() @MinLength(1) SANDBOX_CLIENT_ID = 'childledger-identity-adapter';
  /** Its secret (development default; set a real one anywhere shared). */
  @IsString() @MinLength(8) SANDBOX_CLIENT_SECRET = 'sandbox-development-secret';
  /** Residents CSV (formats.md) to seed from when the table is empty; unset: generated residents. */
  @IsOptional() @IsString() SANDBOX_RESIDENTS_CSV?: string;
  @Type(() => Number) @IsInt() @Min(0) @Max(60_000) SANDBOX_LATENCY_MS = 20;
  /** Requests per second per client before 429 (0: no limit). */
  @Type(() => Number) @IsInt() @Min(0) SANDBOX_RATE_LIMIT_PER_SECOND = 200;
  @Type(() => Number) @IsInt() @Min(1) SANDBOX_RETRY_AFTER_SECONDS = 1;
  /** Share of requests answered 503. */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1) SANDBOX_ERROR_RATE = 0.01;
  /** Share of requests that hang (then 504). */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1) SANDBOX_TIMEOUT_RATE = 0.002;
  @Type(() => Number) @IsInt() @Min(0) SANDBOX_TIMEOUT_HANG_MS = 30_000;
  @Type(() => Number) @IsInt() SANDBOX_FAULT_SEED = 20250701;
}
