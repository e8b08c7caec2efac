import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { KafkaPartnerSink } from './kafka-partner-sink';
import { kafkaSecurityOptions, KafkaSecurityError } from './kafka-security';

/**
 * No Kafka broker runs here, but a TLS server does: it shows that the gateway's sink really speaks
 * TLS with the options built from the settings, verifies the broker's certificate against the given
 * CA, and refuses one it cannot verify. (SASL's exchange needs a broker: the Kafka conformance suite
 * with KAFKA_BROKERS.)
 */
describe('Kafka TLS and SASL settings', () => {
  let dir: string;
  let caFile: string;
  let server: tls.Server;
  let port: number;
  const handshakes: string[] = [];
  const refused: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-tls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-kafka-ca');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
    writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.crt', '-days', '1', '-extfile', 'san.ext');
    caFile = path.join(dir, 'ca.crt');
    server = tls.createServer({ key: readFileSync(path.join(dir, 'broker.key')), cert: readFileSync(path.join(dir, 'broker.crt')) }, (socket) => {
      handshakes.push(socket.getProtocol() ?? 'unknown');
      socket.destroy(); // not a broker: the client's first Kafka request goes unanswered
    });
    server.on('tlsClientError', (err) => refused.push(err.message));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (settings: Parameters<typeof kafkaSecurityOptions>[0]) => {
    const sink = new KafkaPartnerSink({
      brokers: [`127.0.0.1:${port}`],
      kafka: { ...kafkaSecurityOptions(settings), connectionTimeout: 2000, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 }, logLevel: 0 },
    });
    const error = await sink.connect().then(
      () => null,
      (err: Error) => err,
    );
    await sink.close().catch(() => undefined);
    expect(error).not.toBeNull(); // nothing here answers as a broker
    // The server sees the handshake (or its failure) on its own schedule: wait for it.
    const seen = handshakes.length + refused.length;
    for (let i = 0; i < 100 && handshakes.length + refused.length === seen; i++) await new Promise((r) => setTimeout(r, 20));
    return error!;
  };

  it('with KAFKA_SSL_CA_FILE: completes a TLS handshake with a broker whose certificate that CA signed', async () => {
    const before = handshakes.length;
    await connect({ KAFKA_SSL_CA_FILE: caFile });
    expect(handshakes.length).toBeGreaterThan(before);
    expect(handshakes.at(-1)).toMatch(/^TLSv1\.[23]$/);
  });

  it("with KAFKA_SSL=true and only the system's CAs: refuses the broker's certificate (verified, never trusted blindly)", async () => {
    const before = { handshakes: handshakes.length, refused: refused.length };
    await connect({ KAFKA_SSL: true });
    expect(handshakes.length).toBe(before.handshakes);
    expect(refused.length).toBeGreaterThan(before.refused);
  });

  it('without TLS settings: speaks plaintext, which the TLS listener refuses', async () => {
    const before = { handshakes: handshakes.length, refused: refused.length };
    expect(kafkaSecurityOptions({})).toEqual({});
    await connect({});
    expect(handshakes.length).toBe(before.handshakes);
    expect(refused.length).toBeGreaterThan(before.refused);
  });

  it('builds SCRAM-SHA-512 by default from a username and password; names the variable when the settings cannot work, never the password', () => {
    expect(
      kafkaSecurityOptions({ KAFKA_SASL_USERNAME: 'childledger-stream-gateway', KAFKA_SASL_PASSWORD: 's3cr3t-value', KAFKA_SSL_CA_FILE: caFile }).sasl,
    ).toEqual({
      mechanism: 'scram-sha-512',
      username: 'childledger-stream-gateway',
      password: 's3cr3t-value',
    });
    const error = (s: Parameters<typeof kafkaSecurityOptions>[0]) => {
      try {
        kafkaSecurityOptions(s);
      } catch (err) {
        expect(err).toBeInstanceOf(KafkaSecurityError);
        expect((err as Error).message).not.toContain('s3cr3t-value');
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(error({ KAFKA_SASL_PASSWORD: 's3cr3t-value' })).toMatch(/^KAFKA_SASL_USERNAME: is required/);
    expect(error({ KAFKA_SASL_USERNAME: 'gw' })).toMatch(/^KAFKA_SASL_PASSWORD: is required/);
    expect(error({ KAFKA_SASL_USERNAME: 'gw', KAFKA_SASL_PASSWORD: 's3cr3t-value', KAFKA_SASL_MECHANISM: 'plain' })).toMatch(
      /^KAFKA_SASL_MECHANISM: plain sends the password in clear/,
    );
    expect(error({ KAFKA_SSL_CA_FILE: path.join(dir, 'missing.crt') })).toMatch(/^KAFKA_SSL_CA_FILE: cannot read .*missing\.crt \(ENOENT\)/);
    expect(error({ KAFKA_SSL_CA_FILE: path.join(dir, 'san.ext') })).toMatch(/^KAFKA_SSL_CA_FILE: .* holds no PEM certificate/);
  });
});
