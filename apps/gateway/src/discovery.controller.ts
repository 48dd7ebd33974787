import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import { DiscoveryService, DiscoverySettingsDto, StartDiscoveryScanDto } from '@su/discovery';
import { AddDiscoveredMachineDto, MachinesService } from '@su/machines';

const uuid = new ParseUUIDPipe();

/** Network discovery (issue 20, ADR 0042): admin only, fleet-level. */
@ApiTags('discovery')
@ApiBearerAuth()
@Controller('api/v1/discovery')
export class DiscoveryController {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MachinesService) private readonly machines: MachinesService,
  ) {}

  @Get('settings')
  @RequireScope('admin')
  settings() {
    return this.discovery.settings();
  }

  @Put('settings')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Set the blocks discovery may scan, the largest scan and its pace.' })
  setSettings(@Body() dto: DiscoverySettingsDto, @CurrentActor() actor: Actor) {
    return this.discovery.setSettings({ ...dto, allowedCidrs: [...dto.allowedCidrs] }, actor);
  }

  @Post('scans')
  @RequireScope('admin')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Start a scan of a block inside the allow-list (403 otherwise, nothing sent): TCP connects, SSH banner and host key read, no credential tried. Progress on the event stream (discovery.progress).',
  })
  start(@Body() dto: StartDiscoveryScanDto, @CurrentActor() actor: Actor) {
    return this.discovery.start(dto.cidr, dto.ports, actor);
  }

  @Get('scans')
  @RequireScope('admin')
  list() {
    return this.discovery.list(50);
  }

  @Get('scans/:id')
  @RequireScope('admin')
  get(@Param('id', uuid) id: string) {
    return this.discovery.scan(id);
  }

  @Get('scans/:id/candidates')
  @RequireScope('admin')
  candidates(@Param('id', uuid) id: string) {
    return this.discovery.candidates(id);
  }

  @Post('scans/:id/candidates/:candidateId/machine')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Add a candidate as a machine in one step, with the credentials given; the host key the scan saw (and the admin was shown) is trusted.',
  })
  async add(
    @Param('id', uuid) id: string,
    @Param('candidateId', uuid) candidateId: string,
    @Body() dto: AddDiscoveredMachineDto,
    @CurrentActor() actor: Actor,
  ) {
    const { candidate, hostKey } = await this.discovery.candidateToAdd(id, candidateId);
    return this.machines.create({ ...dto, hostname: candidate.host, port: candidate.port }, actor, {
      seenHostKey: hostKey,
      onCreated: (tx, machineId) => this.discovery.markAdded(tx, candidate.id, machineId),
    });
  }
}
