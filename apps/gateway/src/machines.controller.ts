import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, CurrentMachineScope, ForMachine, RequireScope, ScopeFiltered } from '@su/auth';
import type { Actor, MachineScope } from '@su/contracts';
import {
  CreateMachineDto,
  CredentialsDto,
  ListMachinesQuery,
  MachinesService,
  SetTagsDto,
  UpdateMachineDto,
} from '@su/machines';

const uuid = new ParseUUIDPipe();

@ApiTags('machines')
@ApiBearerAuth()
@Controller('api/v1/machines')
export class MachinesController {
  constructor(@Inject(MachinesService) private readonly machines: MachinesService) {}

  @Get()
  @RequireScope('read')
  @ScopeFiltered()
  @ApiOperation({ summary: 'Machine tiles: machines with their derived state (no history read).' })
  // The stored tiles' JSON text, sent as it is (ADR 0040): no parse and no serialisation of 1,000 tiles per request.
  @Header('content-type', 'application/json; charset=utf-8')
  list(@Query() q: ListMachinesQuery, @CurrentMachineScope() scope: MachineScope | null) {
    return this.machines.listJson({ tag: q.tag, scope, limit: q.limit ?? 100, offset: q.offset ?? 0, sort: q.sort });
  }

  @Post()
  @RequireScope('admin')
  @ApiOperation({ summary: 'Add a machine. Credentials are encrypted at once and never returned.' })
  create(@Body() dto: CreateMachineDto, @CurrentActor() actor: Actor) {
    return this.machines.create(dto, actor);
  }

  @Get(':id')
  @RequireScope('read')
  @ForMachine()
  get(@Param('id', uuid) id: string) {
    return this.machines.get(id);
  }

  @Patch(':id')
  @RequireScope('admin')
  @ForMachine()
  update(@Param('id', uuid) id: string, @Body() dto: UpdateMachineDto, @CurrentActor() actor: Actor) {
    return this.machines.update(id, dto, actor);
  }

  @Put(':id/credentials')
  @RequireScope('admin')
  @ForMachine()
  @ApiOperation({ summary: 'Replace the machine credentials (write-only).' })
  setCredentials(@Param('id', uuid) id: string, @Body() dto: CredentialsDto, @CurrentActor() actor: Actor) {
    return this.machines.setCredentials(id, dto, actor);
  }

  @Put(':id/tags')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Replace the machine tags. Tags decide machine scopes, so only an unscoped admin may change them (a scoped client could tag itself into scope).',
  })
  setTags(@Param('id', uuid) id: string, @Body() dto: SetTagsDto, @CurrentActor() actor: Actor) {
    return this.machines.setTags(id, dto.tags, actor);
  }

  @Delete(':id')
  @RequireScope('admin')
  @ForMachine()
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft delete: the machine leaves every list; its history stays.' })
  async remove(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    await this.machines.remove(id, actor);
  }

  @Get(':id/events')
  @RequireScope('read')
  @ForMachine()
  events(@Param('id', uuid) id: string) {
    return this.machines.events(id, 200);
  }
}
