import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy.ts';

const TOTP_CODE = /^[0-9]{6}$/;

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({
    format: 'password',
    description: `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters, at least 4 different ones, not the username.`,
  })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

export class TotpEnrollDto {
  @ApiProperty({ format: 'password', description: 'The current password.' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;
}

export class TotpConfirmDto {
  @ApiProperty({ example: '123456', description: 'A code of the authenticator app.' })
  @Matches(TOTP_CODE, { message: 'code must be 6 digits' })
  code!: string;
}

export class TotpDisableDto {
  @ApiProperty({ format: 'password', description: 'The current password.' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;

  @ApiProperty({ example: '123456', description: 'A code of the authenticator app.' })
  @Matches(TOTP_CODE, { message: 'code must be 6 digits' })
  code!: string;
}
