import {
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
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import {
  CreateChannelDto,
  DeliveriesQueryDto,
  NotificationChannelsService,
  NotificationRulesDto,
  UpdateChannelDto,
} from '@su/notifications';

const uuid = new ParseUUIDPipe();

// Channels hold where the fleet's news goes (and their settings may name internal hosts): admins only.
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(@Inject(NotificationChannelsService) private readonly channels: NotificationChannelsService) {}

  @Get('channels')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Notification channels with their rules; secrets are listed by name only.' })
  list() {
    return this.channels.list();
  }

  @Post('channels')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Create a channel: ntfy, gotify, discord, slack, telegram, webhook (HMAC-SHA256 signed) or email (SMTP). Secrets are write-only.',
  })
  create(@Body() dto: CreateChannelDto, @CurrentActor() actor: Actor) {
    return this.channels.create(dto, actor);
  }

  @Get('channels/:id')
  @RequireScope('admin')
  get(@Param('id', uuid) id: string) {
    return this.channels.get(id);
  }

  @Patch('channels/:id')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Change a channel; `secrets`, when given, replaces all of its secrets.' })
  update(@Param('id', uuid) id: string, @Body() dto: UpdateChannelDto, @CurrentActor() actor: Actor) {
    return this.channels.update(id, dto, actor);
  }

  @Delete('channels/:id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.channels.remove(id, actor);
  }

  @Put('channels/:id/rules')
  @RequireScope('admin')
  @ApiOperation({ summary: "Replace the channel's rules (which events it hears)." })
  setRules(@Param('id', uuid) id: string, @Body() dto: NotificationRulesDto, @CurrentActor() actor: Actor) {
    return this.channels.setRules(id, dto.rules, actor);
  }

  @Post('channels/:id/test')
  @HttpCode(202)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Queue a test notification on the channel; its delivery appears in the log.' })
  test(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.channels.sendTest(id, actor);
  }

  @Get('deliveries')
  @RequireScope('admin')
  @ApiOperation({ summary: 'The delivery log, newest first: status, attempts and the last error (never a secret).' })
  deliveries(@Query() q: DeliveriesQueryDto) {
    return this.channels.deliveryLog({ ...(q.channelId ? { channelId: q.channelId } : {}), limit: q.limit ?? 100 });
  }
}
