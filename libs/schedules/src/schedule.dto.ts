import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import {
  MACHINE_ACTION_NAMES,
  SCHEDULABLE_ACTIONS,
  SCHEDULE_NOTIFY_ON,
  type MachineAction,
  type ScheduleNotifyOn,
} from '@su/contracts';
import { MaintenanceOptionsDto } from '@su/runs';
import { cronProblem, timezoneProblem } from './cron-spec.ts';

function Checked(check: (v: string) => string | null, options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: `checked_${String(propertyName)}`,
      target: object.constructor,
      propertyName: propertyName as string,
      options: options ?? {},
      validator: {
        validate: (v: unknown) => typeof v === 'string' && check(v) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string' ? (check(args.value) ?? '') : `${args?.property} must be a string`,
      },
    });
}

export const APPROVAL_POLICIES = ['none', 'require_approval', 'analyse_only'] as const;
const TAG = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

export class ScheduleScopeDto {
  @ApiPropertyOptional({ description: 'Every machine.' }) @IsOptional() @IsBoolean() all?: boolean;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-32 of a-z 0-9 _ . -' })
  tags?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  machineIds?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  excludeMachineIds?: string[];
}

export class ScheduleDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) name!: string;

  @ApiProperty({ example: '30 3 * * 0', description: '5-field cron: minute hour day-of-month month day-of-week.' })
  @MaxLength(100)
  @Checked(cronProblem)
  cron!: string;

  @ApiPropertyOptional({ default: 'UTC', example: 'Europe/Paris' })
  @IsOptional()
  @MaxLength(64)
  @Checked(timezoneProblem)
  timezone?: string;

  @ApiProperty({ type: ScheduleScopeDto })
  @ValidateNested()
  @Type(() => ScheduleScopeDto)
  scope!: ScheduleScopeDto;

  @ApiProperty({
    enum: MACHINE_ACTION_NAMES,
    isArray: true,
    example: ['apt_update_analyze', 'apt_upgrade', 'reboot_verified'],
    description: 'Run in this order on each machine.',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsIn(SCHEDULABLE_ACTIONS, {
    each: true,
    message: `each action must be one a schedule can run: ${SCHEDULABLE_ACTIONS.join(', ')}`,
  })
  actions!: MachineAction[];

  @ApiPropertyOptional({
    type: MaintenanceOptionsDto,
    description: 'The options of the `maintenance` step (default: its defaults); only with that action.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MaintenanceOptionsDto)
  maintenance?: MaintenanceOptionsDto;

  @ApiPropertyOptional({ default: 1, description: 'Machines of one run at once.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrency?: number;

  @ApiPropertyOptional({ enum: APPROVAL_POLICIES, default: 'none' })
  @IsOptional()
  @IsIn(APPROVAL_POLICIES)
  approvalPolicy?: (typeof APPROVAL_POLICIES)[number];

  @ApiPropertyOptional({ description: 'Minutes after the slot during which new machines may still start.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  windowMinutes?: number;

  @ApiPropertyOptional({
    enum: SCHEDULE_NOTIFY_ON,
    isArray: true,
    description:
      'Which ends of a run the notification rules hear: finished (ok or partial), failed (error). Absent: failed.',
  })
  @IsOptional()
  @ArrayMaxSize(2)
  @IsIn(SCHEDULE_NOTIFY_ON, { each: true })
  notifyOn?: ScheduleNotifyOn[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}
