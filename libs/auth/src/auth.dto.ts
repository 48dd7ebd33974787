import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { SCOPES, type Scope } from '@su/contracts';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 1024)
  password!: string;

  @ApiPropertyOptional({ description: 'The 6-digit code of the authenticator app, for users with a second factor.' })
  @IsOptional()
  @Matches(/^[0-9]{6}$/, { message: 'totpCode must be 6 digits' })
  totpCode?: string;
}

const TAG = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

export class MachineScopeDto {
  @ApiPropertyOptional({ type: [String], description: 'Machines with any of these tags.', example: ['lab'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-32 of a-z 0-9 _ . - starting with a letter or digit' })
  tags?: string[];

  @ApiPropertyOptional({ type: [String], description: 'These machines.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  machineIds?: string[];
}

export const CLIENT_KINDS = ['webapp', 'script', 'mcp', 'hermes', 'desktop_app', 'other'] as const;

export class CreateApiClientDto {
  @ApiProperty({ example: 'backup script' })
  @IsString()
  @Length(1, 100)
  label!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['read'] })
  @IsArray()
  @IsIn(SCOPES, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  scopes!: Scope[];

  @ApiPropertyOptional({ enum: CLIENT_KINDS, default: 'script' })
  @IsOptional()
  @IsIn(CLIENT_KINDS)
  clientKind?: (typeof CLIENT_KINDS)[number];

  @ApiPropertyOptional({ description: 'Days until the token expires; absent means it does not expire.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;

  @ApiPropertyOptional({
    type: MachineScopeDto,
    description:
      'Limit the client to these machines (by tag or id): it sees only their data (another machine reads as 404), acting on another machine answers 403, and fleet-level routes (schedules, settings, API clients) answer 403. Absent: every machine. See ADR 0014.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MachineScopeDto)
  machineScope?: MachineScopeDto;
}
