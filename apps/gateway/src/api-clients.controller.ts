import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiClientsService, CreateApiClientDto, CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';

@ApiTags('api-clients')
@ApiBearerAuth()
@Controller('api/v1/api-clients')
@RequireScope('admin')
export class ApiClientsController {
  constructor(@Inject(ApiClientsService) private readonly clients: ApiClientsService) {}

  @Get()
  list() {
    return this.clients.list();
  }

  @Post()
  @ApiOperation({
    summary:
      'Create an API token. The token is in this response only; it is stored hashed. An optional machine scope limits the machines it may act on.',
  })
  async create(@Body() dto: CreateApiClientDto, @CurrentActor() actor: Actor) {
    const { client, token } = await this.clients.create(
      {
        label: dto.label,
        clientKind: dto.clientKind ?? 'script',
        scopes: dto.scopes,
        expiresInDays: dto.expiresInDays,
        machineScope: dto.machineScope,
      },
      actor,
    );
    return { ...client, token };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token; it stops authenticating at once.' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    if (!(await this.clients.revoke(id, actor))) throw new NotFoundException(`no active API client ${id}`);
  }
}
