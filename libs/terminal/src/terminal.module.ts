import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { TerminalSessionsService } from './terminal-sessions.service.ts';
import { TerminalSettingsService } from './terminal-settings.service.ts';

/** The web SSH terminal (ADR 0043): gateway only. */
@Module({
  imports: [MachineAccessModule],
  providers: [TerminalSessionsService, TerminalSettingsService],
  exports: [TerminalSessionsService, TerminalSettingsService],
})
export class TerminalModule {}
