import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidateIf,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { previousKeyEncryptionKeysProblem } from '@childledger/trust';
import { trustProxyProblem } from '../rate-limit/trust-proxy';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const POSTGRES_URL = /^postgres(ql)?:\/\/.+/;

/** CHILDLEDGER_KEK_PREVIOUS: comma-separated base64 32-byte keys, none repeated, none the current CHILDLEDGER_KEK. */
@ValidatorConstraint({ name: 'previousKeyEncryptionKeys' })
class PreviousKeyEncryptionKeys implements ValidatorConstraintInterface {
  private problem(args: ValidationArguments): string | undefined {
    if (typeof args.value !== 'string') return 'must be a comma-separated list of base64 keys';
    return previousKeyEncryptionKeysProblem(args.value, (args.object as PlatformConfig).CHILDLEDGER_KEK);
  }

  validate(_value: unknown, args: ValidationArguments): boolean {
    return this.problem(args) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return this.problem(args) ?? '';
  }
}

/** TRUST_PROXY: what Express's `trust proxy` takes (true, false, a hop count, addresses and CIDR ranges). */
@ValidatorConstraint({ name: 'trustProxy' })
class TrustProxyValue implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return trustProxyProblem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return trustProxyProblem(args.value) ?? '';
  }
}

/** Variables every service reads. Each is documented in the README's table. */
export class PlatformConfig {
  /** PostgreSQL server for events and read models; unset: an embedded server is started. */
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// connection string' })
  DATABASE_URL?: string;

  /** Database name used on the server (created if missing). */
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case PostgreSQL identifier' })
  DATABASE_NAME = 'childledger';

  /** Embedded server's data directory; reused when it already holds a cluster. */
  @IsString()
  CHILDLEDGER_DATA_DIR = '.data/postgres';

  /** Embedded server's port. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_POSTGRES_PORT = 5433;

  @IsIn(['postgres', 'eventstoredb'])
  EVENT_STORE_BACKEND: 'postgres' | 'eventstoredb' = 'postgres';

  @ValidateIf((c: PlatformConfig) => c.EVENT_STORE_BACKEND === 'eventstoredb')
  @Matches(/^(esdb|esdb\+discover):\/\/.+/, { message: 'must be an esdb:// connection string' })
  EVENTSTORE_URL?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Interface the HTTP services bind to. */
  @IsString()
  HOST = '127.0.0.1';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  REGISTRY_API_PORT = 3000;

  /** Sandbox national population database's port (development and tests). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) SANDBOX_PORT = 3090;

  /** Identity adapter's port (health and metrics). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) IDENTITY_ADAPTER_PORT = 3030;

  /** Key-encryption key wrapping the per-child data keys: base64 of 32 random bytes. Required to run a service on its own; `npm start` makes one in .data/. */
  @IsOptional() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be the base64 encoding of 32 bytes' }) CHILDLEDGER_KEK?: string;

  /**
   * Key-encryption keys replaced by CHILDLEDGER_KEK, comma-separated (base64 of 32 bytes each): they
   * only unwrap data keys not yet rewrapped (`npm run cli -- keys rewrap`); new keys are always
   * wrapped by CHILDLEDGER_KEK. Remove them once `keys status` shows every key current.
   */
  @IsOptional() @Validate(PreviousKeyEncryptionKeys) CHILDLEDGER_KEK_PREVIOUS?: string;

  /** Secret of the registry's keyed hashes (import dedupe keys, idempotency fingerprints): base64 of 32 random bytes. Required by the registry API on its own; `npm start` makes one in .data/. */
  @IsOptional() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be the base64 encoding of 32 bytes' }) CHILDLEDGER_DEDUPE_KEY?: string;

  /** Ed25519 seed (base64 of 32 bytes) signing the log's checkpoints. Required by the log sealer on its own; `npm start` makes one in .data/. */
  @IsOptional() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be the base64 encoding of 32 bytes' }) CHILDLEDGER_SEAL_KEY?: string;

  /** Projector's port (health and metrics only). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PROJECTOR_PORT = 3040;

  /** Query API's port (audit trails, as-of queries, indicators). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) QUERY_API_PORT = 3050;

  /** Stream gateway's port (partner feeds, SSE, partner token endpoint, partners admin API). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) STREAM_GATEWAY_PORT = 3060;

  /** Kafka brokers (`host:port,...`) for the partner relay; unset: no Kafka relay, HTTP feeds only. */
  @IsOptional() @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be host:port[,host:port...]' }) KAFKA_BROKERS?: string;

  /** `true`: reach Kafka over TLS with the system's trusted CAs (certificates verified). Implied by KAFKA_SSL_CA_FILE. */
  @IsOptional() @IsIn(['true', 'false'], { message: 'must be true or false' }) KAFKA_SSL?: 'true' | 'false';

  /** PEM file of the CA that signed the brokers' certificates (Strimzi: the cluster CA's ca.crt); TLS on. */
  @IsOptional() @IsString() @MinLength(1) KAFKA_SSL_CA_FILE?: string;

  /** SASL mechanism with KAFKA_SASL_USERNAME (default scram-sha-512; plain only over TLS). */
  @IsOptional()
  @IsIn(['scram-sha-512', 'scram-sha-256', 'plain'], { message: 'must be scram-sha-512, scram-sha-256 or plain' })
  KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | 'plain';

  /** The gateway's Kafka user (Strimzi: its KafkaUser's name). */
  @IsOptional() @IsString() @MinLength(1) KAFKA_SASL_USERNAME?: string;

  /** That user's password (a Secret; never logged). */
  @IsOptional() @IsString() @MinLength(1) KAFKA_SASL_PASSWORD?: string;

  /** The version-controlled partners file (agreements only, no secrets). */
  @IsString() PARTNERS_FILE = 'apps/stream-gateway/partners.json';

  /** JSON file outside version control with each partner's `clientSecret` and `keySecret`; `npm start` makes one in .data/. */
  @IsOptional() @IsString() PARTNER_SECRETS_FILE?: string;

  /** Key (at least 32 characters) signing partner access tokens; the same on every gateway replica. Unset: random per process (development). */
  @IsOptional() @Matches(/^.{32,}$/, { message: 'must be at least 32 characters' }) PARTNER_TOKEN_SECRET?: string;

  /** Requests per minute each partner may make to the gateway. */
  @Type(() => Number) @IsInt() @Min(1) PARTNER_RATE_LIMIT_PER_MINUTE = 600;

  /** Seconds between two prunings of the partner outbox (rows older than each agreement's `retentionDays`), run by the stream gateway. */
  @Type(() => Number) @IsInt() @Min(60) @Max(86400) PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS = 3600;

  /** Concurrent SSE streams (`/feeds/{id}/stream`) one partner may hold open on one stream-gateway process; beyond: 429 TOO_MANY_STREAMS. */
  @Type(() => Number) @IsInt() @Min(1) PARTNER_SSE_MAX_STREAMS_PER_PARTNER = 3;

  /** Concurrent SSE streams one stream-gateway process serves, all partners together; beyond: 429 GATEWAY_STREAMS_FULL. */
  @Type(() => Number) @IsInt() @Min(1) PARTNER_SSE_MAX_STREAMS = 200;

  /** Seconds an SSE client may leave its socket full (reading nothing) before the stream gateway disconnects it. */
  @Type(() => Number) @IsInt() @Min(1) @Max(3600) PARTNER_SSE_WRITE_TIMEOUT_SECONDS = 60;

  /** Registry API imports: the size one XLSX archive entry (a sheet's XML) may inflate to, declared or actual (bytes). */
  @Type(() => Number) @IsInt() @Min(1) IMPORT_MAX_ENTRY_BYTES = 200 * 1024 * 1024;

  /** Registry API imports: the size all entries of an XLSX archive may inflate to together (bytes). */
  @Type(() => Number) @IsInt() @Min(1) IMPORT_MAX_ARCHIVE_BYTES = 500 * 1024 * 1024;

  /** Registry API imports: the largest compression ratio (inflated : compressed) of an XLSX entry past 1 MB, and of the whole file while inflating. */
  @Type(() => Number) @IsInt() @Min(2) IMPORT_MAX_COMPRESSION_RATIO = 100;

  /** Registry API imports: the most entries an XLSX archive may hold. */
  @Type(() => Number) @IsInt() @Min(1) IMPORT_MAX_ARCHIVE_ENTRIES = 1000;

  /** Registry API imports: the most data rows a file may hold; the import stops after them (rule TOO_MANY_ROWS). */
  @Type(() => Number) @IsInt() @Min(1) IMPORT_MAX_ROWS = 200_000;

  /** Registry API imports run at once per process, and imports waiting for a slot; one more is answered 503 IMPORT_QUEUE_FULL. */
  @Type(() => Number) @IsInt() @Min(1) @Max(64) IMPORT_CONCURRENCY = 2;
  @Type(() => Number) @IsInt() @Min(0) @Max(1000) IMPORT_QUEUE_SIZE = 10;

  /** Requests a minute one user may make to the registry and query APIs, all replicas together (counted in PostgreSQL); beyond: 429 RATE_LIMITED. 0: no limit. */
  @Type(() => Number) @IsInt() @Min(0) USER_RATE_LIMIT_PER_MINUTE = 1200;

  /** Imports (POST /imports) a minute one user may start, all registry API replicas together; beyond: 429 RATE_LIMITED. 0: no limit beyond USER_RATE_LIMIT_PER_MINUTE. */
  @Type(() => Number) @IsInt() @Min(0) IMPORT_RATE_LIMIT_PER_MINUTE = 30;

  /**
   * Express's `trust proxy` for every HTTP service: unset or `false`, the TCP peer is the client
   * (`req.ip`); behind a load balancer, its hop count (`1`) or its addresses/CIDR ranges
   * (`10.0.0.0/8,loopback`), so that `req.ip` is the client's address from X-Forwarded-For. `true`
   * trusts any sender's X-Forwarded-For: only when nothing reaches the service but the proxy.
   */
  @IsOptional() @Validate(TrustProxyValue) TRUST_PROXY?: string;

  /**
   * Port of this service's internal metrics listener: GET /metrics (Prometheus text), no token,
   * nothing else. Unset: no listener, and the admin-only /api/v1/metrics route serves them instead.
   * Set (one value per process: each container its own): that route is gone.
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) METRICS_PORT?: number;

  /** Interface the metrics listener binds to; unset: HOST. */
  @IsOptional() @IsString() @MinLength(1) METRICS_HOST?: string;

  /** Log sealer's port (public keys, checkpoints, inclusion proofs). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) LOG_SEALER_PORT = 3070;

  /** The sealer signs a checkpoint after this many events, or after SEAL_EVERY_SECONDS with anything new. */
  @Type(() => Number) @IsInt() @Min(1) SEAL_EVERY_EVENTS = 1000;
  @Type(() => Number) @IsInt() @Min(1) SEAL_EVERY_SECONDS = 10;

  /** JWKS of the identity provider that signs users' tokens. Unset: `npm start` runs a development issuer. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  AUTH_JWKS_URL?: string;

  /** Expected `iss` of tokens; required with AUTH_JWKS_URL. */
  @ValidateIf((c: PlatformConfig) => c.AUTH_JWKS_URL !== undefined)
  @IsString()
  AUTH_ISSUER?: string;

  /** Expected `aud` of tokens. */
  @IsString()
  AUTH_AUDIENCE = 'childledger';

  /** Signature algorithms accepted on users' tokens, comma-separated (asymmetric only). */
  @Matches(/^(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA)(,(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA))*$/, {
    message: 'must be a comma-separated list of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA',
  })
  AUTH_ALGORITHMS = 'RS256,ES256';

  /** A token issued longer ago than this (seconds) is refused, whatever its `exp`. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  AUTH_MAX_TOKEN_AGE_SECONDS = 12 * 3600;

  /** Development issuer's port (`npm start` without AUTH_JWKS_URL). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  DEV_ISSUER_PORT = 3100;
}
