import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Controller, ForbiddenException, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActionRequestsService } from '@su/approvals';
import { AssistantMayCall, CurrentPrincipal, RequireScope, ScopeFiltered, type Principal } from '@su/auth';
import { MachinesService } from '@su/machines';
import type { Request, Response } from 'express';
import { McpAuditService } from './mcp-audit.service.ts';
import { auditToolCalls } from './mcp-call-audit.ts';
import { buildMcpServer } from './mcp-tools.ts';

const ASSISTANT_KINDS = new Set(['mcp', 'hermes']);

@ApiTags('mcp')
@ApiBearerAuth()
@Controller('mcp')
export class McpController {
  constructor(
    @Inject(MachinesService) private readonly machines: MachinesService,
    @Inject(ActionRequestsService) private readonly requests: ActionRequestsService,
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
    if (principal.type !== 'api_client' || !ASSISTANT_KINDS.has(principal.clientKind ?? '')) {
      throw new ForbiddenException('the MCP endpoint takes API tokens of kind mcp or hermes only');
    }
    const server = buildMcpServer(principal, { machines: this.machines, requests: this.requests });
    // Stateless: one transport per request, no session id to guess or leak; JSON answers rather than SSE.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    auditToolCalls(transport, req.body, principal, this.audit);
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }
}
