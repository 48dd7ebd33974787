import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  APT_PROXY_MODES,
  APT_PROXY_URL,
  AUTH_METHODS,
  MACHINE_KINDS,
  MACHINE_LIST_SORTS,
  MAX_PAGE_OFFSET,
  SUDO_MODES,
  type AptProxyMode,
  type AuthMethod,
  type MachineKind,
  type MachineListSort,
  type SudoMode,
} from '@su/contracts';
import { IsHostnameOrIp } from './hostname.validator.ts';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const TAG = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
// POSIX portable user names, as useradd accepts them.
const USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * Credentials as given by a person. Values are write-only: they are encrypted at once and no endpoint returns them.
 * Validation messages never include the values.
 */
export class CredentialsDto {
  @ApiProperty({ enum: AUTH_METHODS })
  @IsIn(AUTH_METHODS)
  authMethod!: AuthMethod;

  @ApiPropertyOptional({ format: 'password', writeOnly: true, description: 'Required when authMethod is password.' })
  @ValidateIf((o: CredentialsDto) => o.authMethod === 'password' || o.password !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({
    writeOnly: true,
    description: 'OpenSSH or PEM private key; required when authMethod is ssh_key.',
  })
  @ValidateIf((o: CredentialsDto) => o.authMethod === 'ssh_key' || o.privateKey !== undefined)
  @IsString()
  @Matches(/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]+-----END [A-Z0-9 ]*PRIVATE KEY-----\s*$/, {
    message: 'privateKey must be a PEM or OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)',
  })
  @MaxLength(16384)
  privateKey?: string;

  @ApiPropertyOptional({ format: 'password', writeOnly: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  keyPassphrase?: string;

  @ApiProperty({ enum: SUDO_MODES, description: 'same_as_ssh, separate (give sudoPassword), none (NOPASSWD), root' })
  @IsIn(SUDO_MODES)
  sudoMode!: SudoMode;

  @ApiPropertyOptional({ format: 'password', writeOnly: true, description: 'Required when sudoMode is separate.' })
  @ValidateIf((o: CredentialsDto) => o.sudoMode === 'separate' || o.sudoPassword !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  sudoPassword?: string;
}

export class CreateMachineDto {
  @ApiProperty({ example: 'nas' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: 'nas.home.arpa' })
  @IsString()
  @IsHostnameOrIp()
  hostname!: string;

  @ApiPropertyOptional({ default: 22 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiProperty({ example: 'admin' })
  @IsString()
  @Matches(USERNAME, { message: 'username must be a POSIX user name (lower-case letters, digits, _ and -)' })
  username!: string;

  @ApiPropertyOptional({ enum: MACHINE_KINDS })
  @IsOptional()
  @IsIn(MACHINE_KINDS)
  machineKind?: MachineKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ type: [String], example: ['debian', 'prod'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-32 of a-z 0-9 _ . - starting with a letter or digit' })
  tags?: string[];

  @ApiPropertyOptional({
    type: CredentialsDto,
    description: 'Can also be set later with PUT /machines/:id/credentials.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => CredentialsDto)
  credentials?: CredentialsDto;
}

export class UpdateMachineDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsHostnameOrIp()
  hostname?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(USERNAME, { message: 'username must be a POSIX user name (lower-case letters, digits, _ and -)' })
  username?: string;

  @ApiPropertyOptional({ enum: MACHINE_KINDS })
  @IsOptional()
  @IsIn(MACHINE_KINDS)
  machineKind?: MachineKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({
    enum: APT_PROXY_MODES,
    description:
      'direct; runtime: this proxy for our apt runs only; persistent: written to /etc/apt/apt.conf.d/80system-update-proxy (removed when set back). Applied at the next APT job.',
  })
  @IsOptional()
  @IsIn(APT_PROXY_MODES)
  aptProxyMode?: AptProxyMode;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'http://apt-cache.home.arpa:3142/',
    description: 'http://host[:port]/ (no user info, no path); required unless aptProxyMode is direct. null clears it.',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(300)
  @Matches(APT_PROXY_URL, { message: 'aptProxyUrl must be http://host[:port]/ without user info or path' })
  aptProxyUrl?: string | null;
}

export class SetTagsDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-32 of a-z 0-9 _ . - starting with a letter or digit' })
  tags!: string[];
}

export class ListMachinesQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(TAG, { message: 'tag must be 1-32 of a-z 0-9 _ . -' })
  tag?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_OFFSET)
  offset?: number;

  @ApiPropertyOptional({
    enum: MACHINE_LIST_SORTS,
    default: 'name',
    description:
      "name: by name. status: worst first (blocked, error, offline, security, running, updates, unknown, ok), then by name — the dashboard's default order.",
  })
  @IsOptional()
  @IsIn(MACHINE_LIST_SORTS, { message: `sort must be one of: ${MACHINE_LIST_SORTS.join(', ')}` })
  sort?: MachineListSort;
}

/** A machine made from a discovery candidate: its address, port and host key come from what the scan saw. */
export class AddDiscoveredMachineDto extends OmitType(CreateMachineDto, ['hostname', 'port'] as const) {}
