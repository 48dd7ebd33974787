import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CurrentActor, ForMachine, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import { ConnectionTestService, HOST_KEY_POLICIES, HostKeyTrustService, type HostKeyPolicy } from '@su/machine-access';
import { MachinesService } from '@su/machines';

const uuid = new ParseUUIDPipe();

class HostKeyPolicyDto {
  @ApiProperty({ enum: HOST_KEY_POLICIES })
  @IsIn(HOST_KEY_POLICIES)
  policy!: HostKeyPolicy;
}

@ApiTags('machines')
@ApiBearerAuth()
@Controller('api/v1')
export class MachineAccessController {
  constructor(
    @Inject(ConnectionTestService) private readonly tests: ConnectionTestService,
    @Inject(HostKeyTrustService) private readonly trust: HostKeyTrustService,
    @Inject(MachinesService) private readonly machines: MachinesService,
  ) {}

  @Post('machines/:id/test-connection')
  @RequireScope('operate')
  @ForMachine()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Connect, check the host key, run `id` and a sudo round trip, now (not queued). Answers within the connect timeout.',
  })
  async testConnection(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    await this.machines.get(id);
    return this.tests.test(id, actor);
  }

  @Post('machines/:id/probe')
  @RequireScope('operate')
  @ForMachine()
  @ApiOperation({ summary: 'Queue a machine.probe job (OS, hardware, disks, metrics).' })
  probe(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.machines.probe(id, actor);
  }

  @Get('machines/:id/host-keys')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({
    summary: 'Host keys seen for the machine, with SHA-256 fingerprints as `ssh-keygen -lf` prints them.',
  })
  async hostKeys(@Param('id', uuid) id: string) {
    await this.machines.get(id);
    return this.trust.list(id);
  }

  @Post('machines/:id/host-keys/:keyId/approve')
  @RequireScope('admin')
  @ForMachine()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trust this key (a pending first key, or a changed key after checking it); unblocks the machine.',
  })
  async approve(@Param('id', uuid) id: string, @Param('keyId', uuid) keyId: string, @CurrentActor() actor: Actor) {
    await this.machines.get(id);
    return this.trust.approve(id, keyId, actor);
  }

  @Get('settings/host-key-policy')
  @RequireScope('read')
  async policy() {
    return { policy: await this.trust.policy() };
  }

  @Put('settings/host-key-policy')
  @RequireScope('admin')
  async setPolicy(@Body() dto: HostKeyPolicyDto, @CurrentActor() actor: Actor) {
    await this.trust.setPolicy(dto.policy, actor);
    return { policy: dto.policy };
  }
}
