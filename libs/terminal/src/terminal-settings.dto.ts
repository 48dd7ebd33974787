import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { TERMINAL_LIMITS } from './terminal-settings.service.ts';

export class TerminalSettingsDto {
  @ApiProperty({ description: 'Whether web terminals may be opened (off by default).' })
  @IsBoolean()
  enabled!: boolean;

  @ApiProperty({ description: 'A session with no input for this many seconds is closed.', minimum: 10, maximum: 86400 })
  @IsInt()
  @Min(TERMINAL_LIMITS.minSeconds)
  @Max(TERMINAL_LIMITS.maxSeconds)
  idleTimeoutSeconds!: number;

  @ApiProperty({ description: 'A session is closed this many seconds after it opened.', minimum: 10, maximum: 86400 })
  @IsInt()
  @Min(TERMINAL_LIMITS.minSeconds)
  @Max(TERMINAL_LIMITS.maxSeconds)
  maxDurationSeconds!: number;

  @ApiProperty({
    description: 'Record the input lines of new sessions; a line typed at a password prompt is never recorded.',
  })
  @IsBoolean()
  logInput!: boolean;
}
