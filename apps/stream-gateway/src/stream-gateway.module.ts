import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import { FeedController } from './feed.controller';
import { FeedStreams } from './feed-streams';
import { PartnerGuard, PartnerThrottlerGuard } from './partner.guard';
import { PartnerFieldsController } from './partner-fields.controller';
import { PartnersAdminController } from './partners-admin.controller';
import { PartnerStreamMetrics } from './partner-metrics';
import { PartnerStreamsService, STREAM_GATEWAY_OPTIONS, StreamGatewayOptions } from './partner-streams.service';
import { TokenController } from './token.controller';
import { SchemasController } from './schemas.controller';

/** Partner ministries' event streams: HTTP feed + SSE, Kafka relay, partner tokens, partners admin. */
@Module({})
export class StreamGatewayModule {
  static forRoot(options: Omit<PlatformModuleOptions, 'service'> & { gateway: StreamGatewayOptions }): DynamicModule {
    const { gateway, ...platform } = options;
    return {
      module: StreamGatewayModule,
      imports: [
        PlatformModule.forRoot({ ...platform, service: 'stream-gateway' }),
        ThrottlerModule.forRoot([{ name: 'partner', ttl: 60_000, limit: gateway.rateLimitPerMinute }]),
      ],
      controllers: [TokenController, FeedController, PartnersAdminController, PartnerFieldsController, SchemasController],
      providers: [
        { provide: STREAM_GATEWAY_OPTIONS, useValue: gateway },
        PartnerStreamsService,
        FeedStreams,
        PartnerGuard,
        PartnerThrottlerGuard,
        PartnerStreamMetrics,
      ],
    };
  }
}
