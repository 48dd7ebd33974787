import { Module } from '@nestjs/common';
import { AssistantUsageService } from './assistant-usage.service.ts';
import { FleetReadsService } from './fleet-reads.service.ts';
import { McpAuditService } from './mcp-audit.service.ts';

/** The assistant's MCP tools (issue 18, ADR 0029/0033): their reads, audit and usage accounting. */
@Module({
  providers: [FleetReadsService, McpAuditService, AssistantUsageService],
  exports: [FleetReadsService, McpAuditService, AssistantUsageService],
})
export class AssistantModule {}
