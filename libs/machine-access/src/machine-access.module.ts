import { Module } from '@nestjs/common';
import { ConnectionTestService } from './connection-test.service.ts';
import { HostKeyTrustService } from './host-key-trust.service.ts';
import { MachineConnector } from './machine-connector.ts';

@Module({
  providers: [HostKeyTrustService, MachineConnector, ConnectionTestService],
  exports: [HostKeyTrustService, MachineConnector, ConnectionTestService],
})
export class MachineAccessModule {}
