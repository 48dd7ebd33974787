import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
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
}

export const CLIENT_KINDS = ['webapp', 'script', 'mcp', 'hermes', 'desktop_app', 'other'] as const;

export class CreateApiClientDto {
  @ApiProperty({ example: 'backup script' })
  @IsString()
  @Length(1, 100)
  label!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['read'] })
  @IsIn(SCOPES, { each: true })
  @ArrayMinSize(1)
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
}
