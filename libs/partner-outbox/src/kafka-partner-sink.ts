import { Kafka, KafkaConfig, Message, Producer } from 'kafkajs';
import { PartnerCloudEvent, partnerTopic, PartnerSink, RelayMessage, toKafkaRecord } from '@childledger/partner-streams';

/** The kafkajs message of a partner CloudEvent, in CloudEvents binary mode (`ce_*` headers, the data as the value, the child's key). */
export function toKafkaMessage(event: PartnerCloudEvent): Message {
  const r = toKafkaRecord(event);
  return { key: r.key, value: r.value, headers: r.headers };
}

export interface KafkaPartnerSinkOptions {
  brokers: string[];
  clientId?: string;
  /** Partitions of a topic this sink creates (a partner's topic is keyed by child, so order holds per child). */
  partitions?: number;
  replicationFactor?: number;
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/**
 * Sends a partner's CloudEvents to its own topic (`childledger.partner.<id>.v1`), keyed by the
 * pseudonymous child key, in CloudEvents binary mode. The producer is idempotent (acks from all
 * in-sync replicas, one request in flight, so a retried send neither duplicates nor reorders
 * within the broker); `send` resolves only once the broker acknowledged the whole batch.
 */
export class KafkaPartnerSink implements PartnerSink {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private readonly topicsReady = new Set<string>();

  constructor(private readonly options: KafkaPartnerSinkOptions) {
    this.kafka = new Kafka({ clientId: options.clientId ?? 'childledger-stream-gateway', brokers: options.brokers, ...options.kafka });
  }

  async connect(): Promise<void> {
    if (this.producer) return;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
  }

  async ensureTopic(partnerId: string): Promise<string> {
    const topic = partnerTopic(partnerId);
    if (this.topicsReady.has(topic)) return topic;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: this.options.partitions ?? 6, replicationFactor: this.options.replicationFactor ?? 1 }],
        });
      }
    } finally {
      await admin.disconnect();
    }
    this.topicsReady.add(topic);
    return topic;
  }

  async send(partnerId: string, messages: readonly RelayMessage[]): Promise<void> {
    await this.connect();
    const topic = await this.ensureTopic(partnerId);
    await this.producer!.send({ topic, acks: -1, messages: messages.map((m) => toKafkaMessage(m.event)) });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
