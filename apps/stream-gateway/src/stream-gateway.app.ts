import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { parsePartnersDocument } from '@childledger/partner-streams';
import { kafkaSecurityOptions } from '@childledger/partner-outbox';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import { loadPartnerSecrets } from './partner-secrets';
import type { StreamGatewayOptions } from './partner-streams.service';
import { PartnerTokens } from './partner-token.service';
import { StreamGatewayModule } from './stream-gateway.module';

export interface CreateStreamGatewayOptions {
  auth: AuthOptions;
  /** Overrides (tests): partners, secrets, rate limit... */
  gateway?: Partial<StreamGatewayOptions>;
  /** npm start: generate missing partner secrets into .data/ and print them. */
  devSecrets?: boolean;
}

/** Beside the embedded database's folder (`.data/` by default), outside version control. */
export const devPartnerSecretsFile = (config: PlatformConfig): string => path.join(path.dirname(config.CHILDLEDGER_DATA_DIR), 'partner-secrets.dev.json');

export async function createStreamGateway(config: PlatformConfig, databaseUrl: string, options: CreateStreamGatewayOptions): Promise<INestApplication> {
  const devSecrets = options.devSecrets ?? (!config.PARTNER_SECRETS_FILE && process.env['NODE_ENV'] !== 'production');
  const filePartners = options.gateway?.filePartners ?? parsePartnersDocument(JSON.parse(readFileSync(path.resolve(config.PARTNERS_FILE), 'utf8')));
  let secrets = options.gateway?.secrets;
  if (!secrets) {
    const loaded = loadPartnerSecrets(filePartners, { file: config.PARTNER_SECRETS_FILE, devFile: devSecrets ? devPartnerSecretsFile(config) : undefined });
    secrets = loaded.secrets;
    if (devSecrets)
      printDevPartners(
        config,
        filePartners.map((p) => p.id),
        secrets,
        loaded.generated,
      );
  }
  let provinceOf = options.gateway?.provinceOf;
  if (!provinceOf) {
    const units = loadAdministrativeUnits();
    provinceOf = (code: string) => units.provinceOfCommune(code);
  }
  const gateway: StreamGatewayOptions = {
    filePartners,
    secrets,
    provinceOf,
    tokens: options.gateway?.tokens ?? new PartnerTokens(config.PARTNER_TOKEN_SECRET),
    kafkaBrokers: options.gateway?.kafkaBrokers ?? config.KAFKA_BROKERS?.split(','),
    // TLS and SASL (Strimzi's TLS + SCRAM listener): a setting that cannot work stops the boot, naming the variable.
    kafkaClient: options.gateway?.kafkaClient ?? kafkaSecurityOptions({ ...config, KAFKA_SSL: config.KAFKA_SSL === 'true' }),
    rateLimitPerMinute: options.gateway?.rateLimitPerMinute ?? config.PARTNER_RATE_LIMIT_PER_MINUTE,
    heartbeatMs: options.gateway?.heartbeatMs,
    pruneIntervalMs: options.gateway?.pruneIntervalMs ?? config.PARTNER_OUTBOX_PRUNE_INTERVAL_SECONDS * 1000,
    pruneBatchSize: options.gateway?.pruneBatchSize,
    maxStreamsPerPartner: options.gateway?.maxStreamsPerPartner ?? config.PARTNER_SSE_MAX_STREAMS_PER_PARTNER,
    maxStreams: options.gateway?.maxStreams ?? config.PARTNER_SSE_MAX_STREAMS,
    writeTimeoutMs: options.gateway?.writeTimeoutMs ?? config.PARTNER_SSE_WRITE_TIMEOUT_SECONDS * 1000,
  };
  return createApp(StreamGatewayModule.forRoot({ config, databaseUrl, auth: options.auth, gateway }), {
    title: 'ChildLedger stream gateway',
    description: "Partner ministries' event streams: CloudEvents per partner agreement over an HTTP feed and SSE (Kafka: see docs/asyncapi.yaml).",
  });
}

function printDevPartners(config: PlatformConfig, ids: string[], secrets: Record<string, { clientSecret?: string }>, generated: string[]): void {
  const base = `http://localhost:${config.STREAM_GATEWAY_PORT}/api/v1`;
  const lines = [
    '',
    `Partner clients (development secrets in ${devPartnerSecretsFile(config)}${generated.length ? `, generated now for ${generated.join(', ')}` : ''}):`,
  ];
  for (const id of ids) lines.push(`  ${id.padEnd(8)} client_secret ${secrets[id]?.clientSecret ?? '(none)'}`);
  lines.push(
    `  e.g. PT=$(curl -s -X POST ${base}/partners/oauth/token -d grant_type=client_credentials -d client_id=${ids[0]} -d client_secret=... | jq -r .access_token)`,
    `       curl -H "Authorization: Bearer $PT" "${base}/feeds/${ids[0]}/events?limit=10"`,
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
