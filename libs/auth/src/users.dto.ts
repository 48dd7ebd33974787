import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from './password-policy.ts';
import { ROLES, type Role } from './roles.ts';

export class CreateUserDto {
  @ApiProperty({ example: 'anna', description: '1-64 of a-z A-Z 0-9 . _ @ -, starting with a letter or digit.' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
    message: 'username must be 1-64 of a-z A-Z 0-9 . _ @ - starting with a letter or digit',
  })
  username!: string;

  @ApiProperty({ enum: ROLES, description: 'admin: everything; operator: act on machines; viewer: read only.' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({
    format: 'password',
    description: 'Initial password; absent: one is generated and returned once. Either must be changed at first login.',
  })
  @IsOptional()
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password?: string;
}

export class UpdateUserDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}
