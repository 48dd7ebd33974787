import {
  BadGatewayException,
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { NEVER } from 'rxjs';
import type { AppConfig } from '@su/config';
import { APP_CONFIG, writeSse, type SseResponse } from '@su/platform';
import { CurrentActor, CurrentMachineScope, ForMachine, RequireScope, ScopeFiltered } from '@su/auth';
import { DOCKER_SERVICE_NAME, type Actor, type MachineScope } from '@su/contracts';
import {
  CreateDockerRootDto,
  DockerAlertsQuery,
  DockerLogsQuery,
  DockerLogsService,
  DockerRegistriesService,
  DockerRegistryCredentialsDto,
  DockerRegistryDto,
  DockerSettingsDto,
  DockerStackChoiceDto,
  DockerStacksService,
  UpdateDockerRootDto,
} from '@su/docker';

const uuid = new ParseUUIDPipe();

/** A service name in a path: compose's rule, or 400 naming the field. */
class ServiceNamePipe {
  transform(value: string) {
    if (!DOCKER_SERVICE_NAME.test(value))
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request: service',
        errors: [{ field: 'service', reasons: ['service must be a compose service name'] }],
      });
    return value;
  }
}

@ApiTags('docker')
@ApiBearerAuth()
@Controller('api/v1')
export class DockerController {
  constructor(
    @Inject(DockerStacksService) private readonly stacks: DockerStacksService,
    @Inject(DockerRegistriesService) private readonly registries: DockerRegistriesService,
    @Inject(DockerLogsService) private readonly logs: DockerLogsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ───────────── per machine ─────────────

  @Get('machines/:id/docker/roots')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({ summary: 'The directories a Docker scan searches for compose files.' })
  roots(@Param('id', uuid) id: string) {
    return this.stacks.roots(id);
  }

  @Post('machines/:id/docker/roots')
  @RequireScope('admin')
  @ForMachine()
  @ApiOperation({ summary: 'Declare a compose root (searched to its depth at the next docker_scan).' })
  addRoot(@Param('id', uuid) id: string, @Body() dto: CreateDockerRootDto, @CurrentActor() actor: Actor) {
    return this.stacks.addRoot(id, dto, actor);
  }

  @Patch('machines/:id/docker/roots/:rootId')
  @RequireScope('admin')
  @ForMachine()
  updateRoot(
    @Param('id', uuid) id: string,
    @Param('rootId', uuid) rootId: string,
    @Body() dto: UpdateDockerRootDto,
    @CurrentActor() actor: Actor,
  ) {
    return this.stacks.updateRoot(id, rootId, dto, actor);
  }

  @Delete('machines/:id/docker/roots/:rootId')
  @RequireScope('admin')
  @ForMachine()
  @HttpCode(204)
  async deleteRoot(@Param('id', uuid) id: string, @Param('rootId', uuid) rootId: string, @CurrentActor() actor: Actor) {
    await this.stacks.deleteRoot(id, rootId, actor);
  }

  @Get('machines/:id/docker/settings')
  @RequireScope('read')
  @ForMachine()
  settings(@Param('id', uuid) id: string) {
    return this.stacks.settings(id);
  }

  @Patch('machines/:id/docker/settings')
  @RequireScope('admin')
  @ForMachine()
  @ApiOperation({ summary: 'Docker on this machine: on/off, scan depth, prune mode.' })
  updateSettings(@Param('id', uuid) id: string, @Body() dto: DockerSettingsDto, @CurrentActor() actor: Actor) {
    return this.stacks.updateSettings(id, dto, actor);
  }

  @Get('machines/:id/docker/stacks')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({ summary: 'Compose stacks with their services, images, digests and update status (no history read).' })
  stackList(@Param('id', uuid) id: string) {
    return this.stacks.stacks(id);
  }

  @Get('machines/:id/docker/stacks/:stackId')
  @RequireScope('read')
  @ForMachine()
  stack(@Param('id', uuid) id: string, @Param('stackId', uuid) stackId: string) {
    return this.stacks.stack(id, stackId);
  }

  @Put('machines/:id/docker/stacks/:stackId/status')
  @RequireScope('operate')
  @ForMachine()
  @ApiOperation({
    summary: 'Enable, ignore, or set back to candidate a stack (a broken one stays `error` until fixed).',
  })
  setChoice(
    @Param('id', uuid) id: string,
    @Param('stackId', uuid) stackId: string,
    @Body() dto: DockerStackChoiceDto,
    @CurrentActor() actor: Actor,
  ) {
    return this.stacks.setChoice(id, stackId, dto.status, actor);
  }

  @Get('machines/:id/docker/stacks/:stackId/services/:service/logs')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({ summary: "A service's last log lines, read over SSH now (never stored)." })
  async serviceLogs(
    @Param('id', uuid) id: string,
    @Param('stackId', uuid) stackId: string,
    @Param('service', new ServiceNamePipe()) service: string,
    @Query() q: DockerLogsQuery,
    @CurrentActor() actor: Actor,
  ) {
    try {
      return await this.logs.lastLines(id, stackId, service, q.lines ?? 100, actor);
    } catch (e) {
      const kind = (e as { errorKind?: string }).errorKind;
      if (kind) throw new BadGatewayException(`${kind}: ${(e as Error).message}`);
      throw e;
    }
  }

  @Get('machines/:id/docker/stacks/:stackId/services/:service/logs/stream')
  @RequireScope('read')
  @ForMachine()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      "Follow a service's logs (Server-Sent Events): the last lines, then each new one (`line`), until the client goes away or the container stops (`end`). Read over SSH, never stored.",
  })
  async followLogs(
    @Param('id', uuid) id: string,
    @Param('stackId', uuid) stackId: string,
    @Param('service', new ServiceNamePipe()) service: string,
    @Query() q: DockerLogsQuery,
    @CurrentActor() actor: Actor,
    @Res() res: SseResponse,
  ): Promise<void> {
    let events;
    try {
      events = await this.logs.follow(id, stackId, service, q.lines ?? 20, actor);
    } catch (e) {
      const kind = (e as { errorKind?: string }).errorKind;
      if (kind) throw new BadGatewayException(`${kind}: ${(e as Error).message}`);
      throw e;
    }
    writeSse(res, events, { keepaliveMs: this.config.sseKeepaliveSeconds * 1000, until: NEVER });
  }

  @Get('machines/:id/docker/alerts')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({
    summary: 'Containers of enabled stacks that exited or turned unhealthy (opened and closed by scans).',
  })
  alerts(@Param('id', uuid) id: string, @Query() q: DockerAlertsQuery) {
    return this.stacks.alerts(id, q.open !== 'false');
  }

  @Post('machines/:id/docker/alerts/:alertId/acknowledge')
  @RequireScope('operate')
  @ForMachine()
  @HttpCode(204)
  async acknowledge(
    @Param('id', uuid) id: string,
    @Param('alertId', uuid) alertId: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.stacks.acknowledgeAlert(id, alertId, actor);
  }

  @Get('machines/:id/docker/image-events')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({ summary: 'Pulls, recreations, rollbacks and prunes, with from/to image id and digest.' })
  imageEvents(@Param('id', uuid) id: string) {
    return this.stacks.imageEvents(id, 200);
  }

  // ───────────── fleet ─────────────

  @Get('docker/updates')
  @RequireScope('read')
  @ScopeFiltered()
  @ApiOperation({ summary: 'Images with an update, grouped by reference, with the machines and stacks using each.' })
  fleetUpdates(@CurrentMachineScope() scope: MachineScope | null) {
    return this.stacks.fleetUpdates(scope);
  }

  @Post('docker/check')
  @RequireScope('operate')
  @ApiOperation({
    summary: 'Check every image of the fleet now (docker.check job): one registry request per unique reference.',
  })
  fleetCheck(@CurrentActor() actor: Actor) {
    return this.stacks.fleetCheck(actor);
  }

  @Get('docker/registries')
  @RequireScope('read')
  @ApiOperation({ summary: 'Registry settings (credentials are write-only: only whether some are set).' })
  registryList() {
    return this.registries.list();
  }

  @Put('docker/registries')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Create or change the settings of a registry (by host).' })
  saveRegistry(@Body() dto: DockerRegistryDto, @CurrentActor() actor: Actor) {
    return this.registries.upsert(dto, actor);
  }

  @Put('docker/registries/:registryId/credentials')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Set the credentials of a registry (encrypted at once, never returned).' })
  setCredentials(
    @Param('registryId', uuid) registryId: string,
    @Body() dto: DockerRegistryCredentialsDto,
    @CurrentActor() actor: Actor,
  ) {
    return this.registries.setCredentials(registryId, dto, actor);
  }

  @Delete('docker/registries/:registryId/credentials')
  @RequireScope('admin')
  @HttpCode(204)
  async clearCredentials(@Param('registryId', uuid) registryId: string, @CurrentActor() actor: Actor) {
    await this.registries.clearCredentials(registryId, actor);
  }

  @Delete('docker/registries/:registryId')
  @RequireScope('admin')
  @HttpCode(204)
  async deleteRegistry(@Param('registryId', uuid) registryId: string, @CurrentActor() actor: Actor) {
    await this.registries.remove(registryId, actor);
  }
}
