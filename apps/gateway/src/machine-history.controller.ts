import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CurrentActor, CurrentMachineScope, ForMachine, RequireScope, ScopeFiltered } from '@su/auth';
import {
  MACHINE_ACTION_NAMES,
  MACHINE_ACTIONS,
  type Actor,
  type MachineAction,
  type MachineActionDefinition,
  type MachineScope,
} from '@su/contracts';
import { ActionOptionsDto } from '@su/approvals';
import { MachineActionsService, PendingGroupMachinesQuery, PendingGroupsQuery } from '@su/machines';
import { PostInstallRunCheck } from '@su/post-install';

const uuid = new ParseUUIDPipe();

/** The actions a person may run at once; an approval-only one (dpkg_repair) goes through an action request. */
const DIRECT_ACTIONS = MACHINE_ACTION_NAMES.filter(
  (a) => !(MACHINE_ACTIONS[a] as MachineActionDefinition).approvalOnly,
);

/** An action run at once: the action, and the same options an action request takes. */
class ActionDto extends ActionOptionsDto {
  @ApiProperty({ enum: MACHINE_ACTION_NAMES })
  @IsIn(MACHINE_ACTION_NAMES)
  action!: MachineAction;
}

class LimitQuery {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z_]{1,40}$/) kind?: string;
  @ApiPropertyOptional() @IsOptional() @IsBooleanString() acknowledged?: string;
}

@ApiTags('machines')
@ApiBearerAuth()
@Controller('api/v1')
export class MachineHistoryController {
  constructor(
    @Inject(MachineActionsService) private readonly actions: MachineActionsService,
    @Inject(PostInstallRunCheck) private readonly postInstall: PostInstallRunCheck,
  ) {}

  @Post('machines/:id/actions')
  @RequireScope('operate')
  @ForMachine()
  @ApiOperation({
    summary: `Run an action on the machine (queued job): ${DIRECT_ACTIONS.join(', ')}.`,
  })
  async act(@Param('id', uuid) id: string, @Body() dto: ActionDto, @CurrentActor() actor: Actor) {
    if (dto.action === 'post_install') await this.postInstall.check(id, dto, 'direct');
    return this.actions.request(
      id,
      dto.action,
      {
        packages: dto.packages,
        maxWaitSeconds: dto.maxWaitSeconds,
        stackId: dto.stackId,
        services: dto.services,
        rollback: dto.rollback,
        healthTimeoutSeconds: dto.healthTimeoutSeconds,
        tag: dto.tag,
        pruneMode: dto.pruneMode,
        recipeId: dto.recipeId,
        recipeVersionId: dto.recipeVersionId,
        variables: dto.variables,
        bootstrapUser: dto.bootstrapUser,
        disablePassword: dto.disablePassword,
        maintenance: dto.maintenance,
      },
      actor,
    );
  }

  @Get('machines/:id/snapshots/latest')
  @RequireScope('read')
  @ForMachine()
  latest(@Param('id', uuid) id: string, @Query() q: LimitQuery) {
    return this.actions.latestSnapshot(id, q.kind ?? 'apt_update_analyze');
  }

  @Get('machines/:id/snapshots')
  @RequireScope('read')
  @ForMachine()
  snapshots(@Param('id', uuid) id: string, @Query() q: LimitQuery) {
    return this.actions.snapshots(id, q.kind, q.limit ?? 50);
  }

  @Get('machines/:id/executions')
  @RequireScope('read')
  @ForMachine()
  executions(@Param('id', uuid) id: string, @Query() q: LimitQuery) {
    return this.actions.executions(id, q.limit ?? 50);
  }

  @Get('machines/:id/important-messages')
  @RequireScope('read')
  @ForMachine()
  messages(@Param('id', uuid) id: string, @Query() q: LimitQuery) {
    return this.actions.messages(id, q.acknowledged === 'true', q.limit ?? 100);
  }

  @Post('machines/:id/important-messages/:messageId/acknowledge')
  @RequireScope('operate')
  @ForMachine()
  @HttpCode(204)
  async acknowledge(
    @Param('id', uuid) id: string,
    @Param('messageId', uuid) messageId: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.actions.acknowledge(id, messageId, actor);
  }

  @Get('machines/:id/reports')
  @RequireScope('read')
  @ForMachine()
  reports(@Param('id', uuid) id: string, @Query() q: LimitQuery) {
    return this.actions.reports(id, q.limit ?? 50);
  }

  @Get('machines/:id/reports/:reportId/download')
  @RequireScope('read')
  @ForMachine()
  @Header('content-type', 'text/markdown; charset=utf-8')
  async download(
    @Param('id', uuid) id: string,
    @Param('reportId', uuid) reportId: string,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ) {
    const { title, markdown } = await this.actions.reportFile(id, reportId);
    res.setHeader('content-disposition', `attachment; filename="${title.replace(/[^\w.-]+/g, '_')}.md"`);
    return markdown;
  }

  @Get('machines/:id/raw-logs/:artifactId')
  @RequireScope('read')
  @ForMachine()
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({
    summary:
      "A job's raw log (an execution's or snapshot's `rawArtifactId`), redacted when it was written; an important message's `rawLineRef` is `<artifactId>#<line>`.",
  })
  rawLog(@Param('id', uuid) id: string, @Param('artifactId', uuid) artifactId: string) {
    return this.actions.rawLog(id, artifactId);
  }

  @Get('repositories')
  @RequireScope('read')
  @ScopeFiltered()
  @ApiOperation({
    summary:
      "Fleet-wide APT sources: each machine's repositories (one-line and deb822) with suites, components and signing keys from its latest analysis, and the machines pointing at an older release's suite, a third-party repository, or one without a signed-by key.",
  })
  repositories(@CurrentMachineScope() scope: MachineScope | null) {
    return this.actions.repositories(scope);
  }

  @Get('updates/pending')
  @RequireScope('read')
  @ScopeFiltered()
  @ApiOperation({
    summary:
      'Fleet-wide pending package changes grouped by dedup key, security first, held apart: a page of groups `{ items, total }`, each with how many machines need it (its machines: `GET /updates/pending/machines`).',
  })
  pending(@Query() q: PendingGroupsQuery, @CurrentMachineScope() scope: MachineScope | null) {
    return this.actions.pendingUpdates(q, scope);
  }

  @Get('updates/pending/machines')
  @RequireScope('read')
  @ScopeFiltered()
  @ApiOperation({
    summary: 'The machines (id, name; by name) that need one pending group, by page: `{ items, total }`.',
  })
  pendingMachines(@Query() q: PendingGroupMachinesQuery, @CurrentMachineScope() scope: MachineScope | null) {
    return this.actions.pendingUpdateMachines(q, scope);
  }
}
