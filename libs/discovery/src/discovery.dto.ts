import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { parseIpv4Cidr } from './cidr.ts';
import { DISCOVERY_LIMITS } from './discovery-settings.ts';

/** An IPv4 block in the plain `a.b.c.d/n` form (or a bare address); the message never repeats the value. */
function IsIpv4Cidr(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isIpv4Cidr',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && v.length <= 18 && parseIpv4Cidr(v) !== null,
        defaultMessage: (a) => `${a?.property ?? 'cidr'} must be an IPv4 block like 192.168.1.0/24`,
      },
    },
    options,
  );
}

export class DiscoverySettingsDto {
  @ApiProperty({ type: [String], example: ['192.168.1.0/24'], description: 'The only IPv4 blocks a scan may target.' })
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(18, { each: true })
  @IsIpv4Cidr({ each: true })
  allowedCidrs!: string[];

  @ApiProperty({ example: 1024, description: 'Largest scan in addresses.' })
  @IsInt()
  @Min(1)
  @Max(DISCOVERY_LIMITS.maxAddresses)
  maxAddresses!: number;

  @ApiProperty({ example: 32 })
  @IsInt()
  @Min(1)
  @Max(DISCOVERY_LIMITS.maxConcurrency)
  concurrency!: number;

  @ApiProperty({ example: 100 })
  @IsInt()
  @Min(1)
  @Max(DISCOVERY_LIMITS.maxConnectsPerSecond)
  connectsPerSecond!: number;

  @ApiProperty({ example: 2000 })
  @IsInt()
  @Min(100)
  @Max(DISCOVERY_LIMITS.maxConnectTimeoutMs)
  connectTimeoutMs!: number;

  @ApiProperty()
  @IsBoolean()
  reverseDns!: boolean;
}

export class StartDiscoveryScanDto {
  // Not the settings' example block: a client sending both examples gets 403, never a scan of a real network.
  @ApiProperty({ example: '10.0.0.0/24', description: 'Must lie inside a block of the allow-list.' })
  @IsString()
  @MaxLength(18)
  @IsIpv4Cidr()
  cidr!: string;

  @ApiPropertyOptional({ type: [Number], default: [22] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DISCOVERY_LIMITS.maxPorts)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(65535, { each: true })
  ports?: number[];
}
