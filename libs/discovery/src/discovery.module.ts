import { Module } from '@nestjs/common';
import { DiscoveryService } from './discovery.service.ts';

/** Network discovery of SSH machines (issue 20, ADR 0042). */
@Module({
  providers: [DiscoveryService],
  exports: [DiscoveryService],
})
export class DiscoveryModule {}
