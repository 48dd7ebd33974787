import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActionRequestsService, CreateActionRequestDto, DecisionDto, ListActionRequestsQuery } from '@su/approvals';
import {
  AssistantMayCall,
  CurrentMachineScope,
  CurrentPrincipal,
  ForActionRequest,
  RequireScope,
  ScopeFiltered,
  type Principal,
} from '@su/auth';
import type { MachineScope } from '@su/contracts';
import { PostInstallRunCheck } from '@su/post-install';

const uuid = new ParseUUIDPipe();

@ApiTags('action-requests')
@ApiBearerAuth()
@Controller('api/v1/action-requests')
export class ActionRequestsController {
  constructor(
    @Inject(ActionRequestsService) private readonly requests: ActionRequestsService,
    @Inject(PostInstallRunCheck) private readonly postInstall: PostInstallRunCheck,
  ) {}

  @Post()
  @RequireScope('operate')
  // The machine is named in the body: the service checks it against the caller's scope. Proposing executes nothing.
  @ScopeFiltered()
  @AssistantMayCall()
  @ApiOperation({
    summary:
      'Ask for an action on a machine that a person approves. apt_upgrade / apt_dist_upgrade are bound to the plan of the latest analysis (409 without one); the worker refuses with plan_drifted if it changed.',
  })
  async create(@Body() dto: CreateActionRequestDto, @CurrentPrincipal() principal: Principal) {
    if (dto.action === 'post_install')
      await this.postInstall.check(dto.machineId, dto.options ?? {}, 'request', 'options.');
    return this.requests.create(
      {
        machineId: dto.machineId,
        action: dto.action,
        options: dto.options,
        summary: dto.summary,
        expiresInMinutes: dto.expiresInMinutes,
        allowPlanSuperset: dto.allowPlanSuperset,
      },
      principal,
    );
  }

  @Get()
  @RequireScope('read')
  @ScopeFiltered()
  list(@Query() q: ListActionRequestsQuery, @CurrentMachineScope() scope: MachineScope | null) {
    return this.requests.list({
      scope,
      status: q.status,
      machineId: q.machineId,
      requestedByType: q.requestedByType,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
  }

  @Get(':id')
  @RequireScope('read')
  @ForActionRequest()
  get(@Param('id', uuid) id: string) {
    return this.requests.get(id);
  }

  @Post(':id/approve')
  @RequireScope('operate')
  @ForActionRequest()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve a pending request and carry it out (the job is created, or the schedule step released). Expired: 409. The assistant (hermes) may not approve.',
  })
  approve(@Param('id', uuid) id: string, @Body() dto: DecisionDto, @CurrentPrincipal() principal: Principal) {
    return this.requests.approve(id, principal, dto.note);
  }

  @Post(':id/reject')
  @RequireScope('operate')
  @ForActionRequest()
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a pending request; nothing runs. The assistant (hermes) may not reject.' })
  reject(@Param('id', uuid) id: string, @Body() dto: DecisionDto, @CurrentPrincipal() principal: Principal) {
    return this.requests.reject(id, principal, dto.note);
  }
}
