import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

export const THEMES = ['light', 'dark', 'system'] as const;
export const DENSITIES = ['comfortable', 'compact'] as const;
export const LANGUAGES = ['en', 'fr'] as const;

/** The web UI's preferences of a user (ADR 0019). A PUT sends all three. */
export class UserPreferencesDto {
  @ApiProperty({ enum: THEMES })
  @IsIn(THEMES)
  theme!: (typeof THEMES)[number];

  @ApiProperty({ enum: DENSITIES })
  @IsIn(DENSITIES)
  density!: (typeof DENSITIES)[number];

  @ApiProperty({ enum: LANGUAGES })
  @IsIn(LANGUAGES)
  language!: (typeof LANGUAGES)[number];
}

export class UserPreferencesView extends UserPreferencesDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null: never saved (defaults).' })
  updatedAt!: string | null;
}
