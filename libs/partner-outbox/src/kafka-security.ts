import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** What the gateway reads to reach a secured Kafka (Strimzi's TLS + SCRAM listener, a managed Kafka). */
export interface KafkaSecuritySettings {
  /** `true`: TLS with the system's trusted CAs. Implied by KAFKA_SSL_CA_FILE. */
  KAFKA_SSL?: boolean;
  /** PEM file of the CA that signed the brokers' certificates (Strimzi: the cluster CA's ca.crt). */
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

export class KafkaSecurityError extends Error {}

/**
 * kafkajs's `ssl` and `sasl` options from the settings: TLS when a CA file is given or KAFKA_SSL is
 * true (certificates always verified), SASL when a username is given (SCRAM-SHA-512 unless another
 * mechanism is named). PLAIN sends the password as it is: refused without TLS. Throws naming the
 * variable when the settings cannot work; never echoes the password.
 */
export function kafkaSecurityOptions(settings: KafkaSecuritySettings, read: (file: string) => Buffer = readFileSync): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (settings.KAFKA_SSL_CA_FILE) {
    let ca: Buffer;
    try {
      ca = read(settings.KAFKA_SSL_CA_FILE);
    } catch (err) {
      throw new KafkaSecurityError(`KAFKA_SSL_CA_FILE: cannot read ${settings.KAFKA_SSL_CA_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!ca.toString('utf8').includes('-----BEGIN CERTIFICATE-----'))
      throw new KafkaSecurityError(`KAFKA_SSL_CA_FILE: ${settings.KAFKA_SSL_CA_FILE} holds no PEM certificate`);
    out.ssl = { ca: [ca], rejectUnauthorized: true };
  } else if (settings.KAFKA_SSL) {
    out.ssl = { rejectUnauthorized: true };
  }
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = settings;
  if (username || password || settings.KAFKA_SASL_MECHANISM) {
    if (!username) throw new KafkaSecurityError('KAFKA_SASL_USERNAME: is required with KAFKA_SASL_PASSWORD or KAFKA_SASL_MECHANISM');
    if (!password) throw new KafkaSecurityError('KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_USERNAME');
    const mechanism = settings.KAFKA_SASL_MECHANISM ?? 'scram-sha-512';
    if (mechanism === 'plain' && !out.ssl)
      throw new KafkaSecurityError('KAFKA_SASL_MECHANISM: plain sends the password in clear; set KAFKA_SSL_CA_FILE or KAFKA_SSL=true');
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}
