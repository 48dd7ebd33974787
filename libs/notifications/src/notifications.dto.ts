import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CHANNEL_KINDS, NOTIFICATION_EVENTS, type ChannelKind, type NotificationEventKind } from '@su/contracts';

export class NotificationRuleDto {
  @ApiProperty({ enum: NOTIFICATION_EVENTS }) @IsIn(NOTIFICATION_EVENTS) event!: NotificationEventKind;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ description: 'machine_unreachable: failed checks in a row before telling (default 3).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  threshold?: number;
}

export class NotificationRulesDto {
  @ApiProperty({ type: [NotificationRuleDto] })
  @ArrayMaxSize(NOTIFICATION_EVENTS.length)
  @ValidateNested({ each: true })
  @Type(() => NotificationRuleDto)
  rules!: NotificationRuleDto[];
}

export class CreateChannelDto {
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: CHANNEL_KINDS }) @IsIn(CHANNEL_KINDS) kind!: ChannelKind;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiProperty({ description: "The kind's shown settings (URL, topic, chat id, SMTP host, recipients)." })
  @IsObject()
  config!: Record<string, unknown>;
  @ApiPropertyOptional({ description: "The kind's secrets (token, webhook URL, signing secret, password); write-only." })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [NotificationRuleDto] })
  @IsOptional()
  @ArrayMaxSize(NOTIFICATION_EVENTS.length)
  @ValidateNested({ each: true })
  @Type(() => NotificationRuleDto)
  rules?: NotificationRuleDto[];
}

export class UpdateChannelDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ description: 'Replaces the shown settings.' }) @IsOptional() @IsObject()
  config?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Replaces the secrets (all of them; absent: kept).' })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, unknown>;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() channelId?: string;
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
