import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Controller, ForbiddenException, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActionRequestsService } from '@su/approvals';
import { AssistantUsageService, FleetReadsService, isAssistantCaller, McpAuditService, serveMcp } from '@su/assistant';
import { AssistantMayCall, CurrentPrincipal, RequireScope, ScopeFiltered, type Principal } from '@su/auth';
import { MachinesService } from '@su/machines';
import type { Request, Response } from 'express';

/** The assistant's MCP endpoint (ADR 0029, 0033): the transport; the tools are `@su/assistant`'s. */
@ApiTags('mcp')
@ApiBearerAuth()
@Controller('mcp')
export class McpController {
  constructor(
    @Inject(MachinesService) private readonly machines: MachinesService,
    @Inject(ActionRequestsService) private readonly requests: ActionRequestsService,
    @Inject(FleetReadsService) private readonly reads: FleetReadsService,
    @Inject(AssistantUsageService) private readonly usage: AssistantUsageService,
    @Inject(McpAuditService) private readonly audit: McpAuditService,
  ) {}

  @Post()
  @RequireScope('read')
  // Every tool filters by the caller's machine scope; proposing is the only write and it executes nothing.
  @ScopeFiltered()
  @AssistantMayCall()
  @ApiOperation({
    summary:
      'MCP (Streamable HTTP, stateless, JSON responses) for the assistant: API tokens of kind mcp or hermes only. Tools read the fleet and propose actions; none executes or approves.',
  })
  async handle(@Req() req: Request, @Res() res: Response, @CurrentPrincipal() principal: Principal): Promise<void> {
    if (!isAssistantCaller(principal)) {
      throw new ForbiddenException('the MCP endpoint takes API tokens of kind mcp or hermes only');
    }
    // Stateless: one transport per request, no session id to guess or leak; JSON answers rather than SSE.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const { machines, requests, reads, usage, audit } = this;
    const server = await serveMcp(transport, principal, { machines, requests, reads, usage, audit });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await transport.handleRequest(req, res, req.body);
  }
}
