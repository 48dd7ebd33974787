import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  actionRequestPayloadSchema,
  isAnalysisBound,
  machineScopeRefusal,
  isMachineAction,
  MACHINE_ACTIONS,
  planHash,
  plannedChangeOf,
  resolveMaintenanceOptions,
  scopeSatisfies,
  type ActionRequestPayload,
  type AnalysisBoundAction,
  type ActionRequestStatus,
  type ActionRequestView,
  type Actor,
  type ApprovedPlan,
  type MachineAction,
  type MachineScope,
  type MachineView,
  type RequesterType,
} from '@su/contracts';
import { ActionRequestsRepository, Database, MachineEventsRepository, MachinesRepository, type Tx } from '@su/db';
import { JobsService } from '@su/platform';
import {
  dockerApplyPlan,
  jobOfAction,
  maintenancePlanOf,
  misplacedActionOptions,
  planOfLatestAnalysis,
  ScheduleRunAdvancer,
  type ActionOptions,
} from '@su/runs';
import { ApprovalSettingsService } from './approval-settings.service.ts';
import { DEFAULT_REQUEST_TTL_MINUTES, MAX_REQUEST_TTL_MINUTES } from './action-request.dto.ts';
import { actorOfRequester, isAssistant, requesterType, type Requester } from './requester.ts';
import { defaultSummary } from './request-summary.ts';

export interface NewActionRequestInput {
  machineId: string;
  action: MachineAction;
  options?: ActionOptions | undefined;
  summary?: string | undefined;
  expiresInMinutes?: number | undefined;
  allowPlanSuperset?: boolean | undefined;
}

export interface ActionRequestListFilter {
  status?: ActionRequestStatus | undefined;
  machineId?: string | undefined;
  requestedByType?: string | undefined;
  /** The caller's machine scope: only requests for machines it admits (null or absent: every request). */
  scope?: MachineScope | null | undefined;
  limit: number;
  offset: number;
}

/** The expiry sweep, as the maintenance log records it. */
const EXPIRY_ACTOR: Actor = { type: 'system', id: 'approvals', label: 'request expiry' };
const EXPIRE_BATCH = 500;

function badRequest(errors: { field: string; reasons: string[] }[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `invalid request: ${errors.map((e) => e.field).join(', ')}`,
    errors,
  });
}

const expiredAt = (r: ActionRequestView, now: Date) => r.expiresAt !== null && Date.parse(r.expiresAt) <= now.getTime();

/**
 * Action requests: an action on a machine that waits for a person (proposed by a person, an API client, the
 * assistant or a schedule run). Approval carries it out at once — the job is created, or the schedule run's waiting
 * step released, in the transaction that records the decision. An APT apply is bound to the plan the person saw
 * (docs/adr/0011-approvals-bound-to-plan.md): the job carries that plan and the worker refuses with plan_drifted when
 * the machine would now do something else.
 */
@Injectable()
export class ActionRequestsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(ScheduleRunAdvancer) private readonly runs: ScheduleRunAdvancer,
    @Inject(ApprovalSettingsService) private readonly settings: ApprovalSettingsService,
  ) {}

  async create(input: NewActionRequestInput, by: Requester): Promise<ActionRequestView> {
    const options = input.options ?? {};
    this.checkOptions(input);
    const machine = await new MachinesRepository(this.db.prisma).findView(input.machineId);
    if (!machine) throw new NotFoundException(`machine ${input.machineId} not found`);
    this.mustBeInScope(machine, by);
    const plan =
      input.action === 'maintenance'
        ? await this.bindToMaintenancePlan(machine, options)
        : isAnalysisBound(input.action)
          ? await this.bindToAnalysis(input.action, machine, options)
          : input.action === 'docker_apply' && !options.tag
            ? await this.bindToDockerCheck(machine, options)
            : null;
    const minutes = Math.min(
      Math.max(input.expiresInMinutes ?? DEFAULT_REQUEST_TTL_MINUTES, 1),
      MAX_REQUEST_TTL_MINUTES,
    );
    const risk = MACHINE_ACTIONS[input.action].risk;
    const payload: ActionRequestPayload = {
      options: storedOptions(options),
      ...(plan ? { plan: plan.changes, packages: plan.packages, analysedAt: plan.analysedAt } : {}),
    };
    const summary =
      input.summary?.trim() || defaultSummary(input.action, machine.name, options, plan ? plan.packages : null);
    const id = await this.db.transaction(async (tx) => {
      const { id } = await new ActionRequestsRepository(tx).insert({
        machineId: machine.id,
        requestedByType: requesterType(by),
        requestedById: by.id,
        requestedByLabel: by.label,
        action: input.action,
        risk,
        summary,
        payload,
        expiresAt: new Date(Date.now() + minutes * 60_000),
        planHash: plan?.hash ?? null,
        snapshotId: plan?.snapshotId ?? null,
        allowPlanSuperset: plan ? (input.allowPlanSuperset ?? false) : false,
      });
      await new MachineEventsRepository(tx).insert({
        machineId: machine.id,
        eventType: 'action_request.created',
        severity: risk === 'high' ? 'warning' : 'info',
        actor: actorOfRequester(by),
        message: `${by.label} asks for approval (${risk} risk): ${summary}`,
        payload: { requestId: id, action: input.action, risk, planHash: plan?.hash ?? null },
      });
      return id;
    });
    return this.get(id);
  }

  list(filter: ActionRequestListFilter): Promise<ActionRequestView[]> {
    return new ActionRequestsRepository(this.db.prisma).list(filter);
  }

  async get(id: string): Promise<ActionRequestView> {
    const r = await new ActionRequestsRepository(this.db.prisma).find(id);
    if (!r) throw new NotFoundException(`action request ${id} not found`);
    return r;
  }

  /**
   * pending → approved, and carried out in the same transaction: the job is created (with the approved plan for an
   * APT apply), or a schedule run's waiting step is released. A request whose time is up becomes expired (409).
   */
  async approve(id: string, by: Requester, note?: string): Promise<ActionRequestView> {
    this.mayDecide(by, 'approve');
    await this.mayDecideOn(id, by);
    const now = new Date();
    const outcome = await this.db.transaction(async (tx) => {
      const repo = new ActionRequestsRepository(tx);
      const r = await this.pendingForDecision(tx, id, 'approved');
      await this.approverMayDifferFromRequester(tx, r, by);
      if (expiredAt(r, now)) {
        await this.expireOne(tx, r, now);
        return { expired: r.expiresAt };
      }
      const jobId = r.jobId ?? (await this.enqueueFor(tx, r)).id;
      await repo.approve(id, { by: by.label, at: now, note: note ?? null }, jobId);
      // A schedule run's step moves on only now that the request it waited for is approved.
      if (r.jobId) await this.runs.approved(tx, r.jobId);
      await new MachineEventsRepository(tx).insert({
        machineId: r.machineId,
        eventType: 'action_request.approved',
        actor: actorOfRequester(by),
        jobId,
        message: `${by.label} approved: ${r.summary ?? r.action}${note ? ` (${note})` : ''}`,
        payload: { requestId: id, action: r.action },
      });
      return { expired: null };
    });
    if (outcome.expired) throw this.expiredConflict(id, outcome.expired, 'approved');
    return this.get(id);
  }

  /** pending → rejected; a schedule run's waiting step (and the machine's later steps) are skipped. */
  async reject(id: string, by: Requester, note?: string): Promise<ActionRequestView> {
    this.mayDecide(by, 'reject');
    await this.mayDecideOn(id, by);
    const now = new Date();
    const outcome = await this.db.transaction(async (tx) => {
      const r = await this.pendingForDecision(tx, id, 'rejected');
      if (expiredAt(r, now)) {
        await this.expireOne(tx, r, now);
        return { expired: r.expiresAt };
      }
      await new ActionRequestsRepository(tx).reject(id, { by: by.label, at: now, note: note ?? null });
      if (r.jobId)
        await this.runs.declined(
          tx,
          r.jobId,
          'approval_rejected',
          `${r.action} was rejected by ${by.label}${note ? `: ${note}` : ''}`,
        );
      await new MachineEventsRepository(tx).insert({
        machineId: r.machineId,
        eventType: 'action_request.rejected',
        actor: actorOfRequester(by),
        jobId: r.jobId,
        message: `${by.label} rejected: ${r.summary ?? r.action}${note ? ` (${note})` : ''}`,
        payload: { requestId: id, action: r.action },
      });
      return { expired: null };
    });
    if (outcome.expired) throw this.expiredConflict(id, outcome.expired, 'rejected');
    return this.get(id);
  }

  /**
   * Pending requests whose time is up become expired (a schedule run's waiting step is skipped with
   * approval_expired). Called every few seconds by the scheduler; returns how many expired.
   */
  async expireDue(now: Date = new Date()): Promise<number> {
    return this.db.transaction(async (tx) => {
      const expired = await new ActionRequestsRepository(tx).expireDue(now, EXPIRE_BATCH);
      for (const r of expired) await this.afterExpiry(tx, r);
      return expired.length;
    });
  }

  // ───────────── decisions ─────────────

  /** Deciding needs `operate`, and a person: the assistant proposes, it never approves its own proposals. */
  private mayDecide(by: Requester, verb: 'approve' | 'reject'): void {
    if (isAssistant(by))
      throw new ForbiddenException(
        `the assistant (API client "${by.label}", kind hermes) may propose actions but not ${verb} them: a person must decide`,
      );
    if (!scopeSatisfies(by.scopes, 'operate'))
      throw new ForbiddenException(
        `to ${verb} a request needs the "operate" scope; the token has: ${by.scopes.join(', ')}`,
      );
  }

  /**
   * The request exists and is for a machine the decider may act on (an API client limited to a machine scope). Checked
   * before the decision's transaction: a request never changes machine.
   */
  private async mayDecideOn(id: string, by: Requester): Promise<void> {
    const r = await new ActionRequestsRepository(this.db.prisma).find(id);
    if (!r) throw new NotFoundException(`action request ${id} not found`);
    if (by.type !== 'api_client' || !by.machineScope) return;
    const machine = r.machineId ? await new MachinesRepository(this.db.prisma).findView(r.machineId) : null;
    if (!machine)
      throw new ForbiddenException(`request ${id} is for a machine outside this API client's machine scope`);
    this.mustBeInScope(machine, by);
  }

  /** With the four-eyes setting on, the requester may not approve their own request (403, nothing changes). */
  private async approverMayDifferFromRequester(tx: Tx, r: ActionRequestView, by: Requester): Promise<void> {
    if (!(await this.settings.get(tx)).requireDistinctApprover) return;
    const self = r.requestedBy.id === by.id && r.requestedBy.type === requesterType(by);
    if (self)
      throw new ForbiddenException(
        `action request ${r.id} was made by ${by.label}; the approvals setting requires someone else to approve it`,
      );
  }

  /** The request, locked for this decision, and still pending. */
  private async pendingForDecision(tx: Tx, id: string, verb: 'approved' | 'rejected'): Promise<ActionRequestView> {
    const r = await new ActionRequestsRepository(tx).lockForDecision(id);
    if (!r) throw new NotFoundException(`action request ${id} not found`);
    if (r.status !== 'pending')
      throw new ConflictException(`action request ${id} is ${r.status}; only a pending request can be ${verb}`);
    return r;
  }

  private async expireOne(tx: Tx, r: ActionRequestView, now: Date): Promise<void> {
    if (await new ActionRequestsRepository(tx).expire(r.id, now)) await this.afterExpiry(tx, r);
  }

  /** What follows a request's expiry: a schedule's waiting step is skipped with it, and the timeline says so. */
  private async afterExpiry(tx: Tx, r: { id: string; machineId: string | null; action: string; jobId: string | null }) {
    if (r.jobId) await this.runs.declined(tx, r.jobId, 'approval_expired', `${r.action} was not approved in time`);
    await new MachineEventsRepository(tx).insert({
      machineId: r.machineId,
      eventType: 'action_request.expired',
      severity: 'warning',
      actor: EXPIRY_ACTOR,
      jobId: r.jobId,
      message: `request for ${r.action} expired without a decision`,
      payload: { requestId: r.id, action: r.action },
    });
  }

  private expiredConflict(id: string, at: string | null, verb: string): ConflictException {
    return new ConflictException(
      `action request ${id} expired at ${at ?? 'an unknown time'} and can no longer be ${verb}; make a new request`,
    );
  }

  /** The job that carries out an approved request made outside a schedule run. */
  private async enqueueFor(tx: Tx, r: ActionRequestView) {
    const action = r.action;
    if (!isMachineAction(action) || !r.machineId)
      throw new ConflictException(`action request ${r.id} names no machine action this version can run`);
    const stored = actionRequestPayloadSchema.safeParse(r.payload ?? {});
    if (!stored.success) throw new ConflictException(`action request ${r.id} has an unreadable payload`);
    const { options = {}, plan } = stored.data;
    let approvedPlan: ApprovedPlan | undefined;
    if (r.planHash) {
      const changes = plan ?? [];
      // The plan shown and the hash approved must be the same thing, or the worker would compare against another.
      if (planHash(changes) !== r.planHash)
        throw new ConflictException(`action request ${r.id}: the stored plan does not match its hash`);
      approvedPlan = { requestId: r.id, hash: r.planHash, changes, allowSuperset: r.allowPlanSuperset };
    }
    const job = jobOfAction(action, options, approvedPlan);
    // The job is the requester's: they asked for it; the approval is recorded on the request and in the timeline.
    const actor: Actor = {
      type: r.requestedBy.type as RequesterType,
      id: r.requestedBy.id,
      ...(r.requestedBy.label ? { label: r.requestedBy.label } : {}),
    };
    return this.jobs.enqueueIn(tx, { ...job, machineId: r.machineId, actor, requestId: r.id });
  }

  // ───────────── creation ─────────────

  /** Options that belong to another action are refused, not silently dropped. */
  private checkOptions(input: NewActionRequestInput): void {
    const errors = misplacedActionOptions(
      input.action,
      { ...input.options, allowPlanSuperset: input.allowPlanSuperset },
      'options.',
    );
    if (errors.length) throw badRequest(errors);
  }

  /** Worded as the guard's machine-scope rule words it (ADR 0014): only the id the caller sent, not the machine. */
  private mustBeInScope(machine: MachineView, by: Requester): void {
    const refusal = by.type === 'api_client' ? machineScopeRefusal(by.machineScope, machine) : null;
    if (refusal) throw new ForbiddenException(`machine ${machine.id} is outside this API client's machine scope`);
  }

  /**
   * A maintenance run's plan (ADR 0031): the package changes of the latest analysis and the image changes of the
   * latest registry check, under one hash. The run analyses and checks again before applying anything and ends
   * plan_drifted when either moved.
   */
  private async bindToMaintenancePlan(machine: MachineView, options: ActionOptions) {
    const o = resolveMaintenanceOptions(options.maintenance);
    const plan = await maintenancePlanOf(this.db.prisma, machine.id, o);
    if (plan.problems.length)
      throw new ConflictException(
        `no complete maintenance plan for ${machine.name}: ${plan.problems.join('; ')}; the request is bound to the plan the latest analysis and registry check show`,
      );
    return {
      snapshotId: plan.snapshotId,
      analysedAt: plan.analysedAt ?? new Date().toISOString(),
      changes: plan.changes,
      hash: plan.hash,
      packages: [
        ...plan.apt.map((c, i) => ({ ...c, name: plan.aptLines[i] ?? c.name, currentVersion: null, security: false })),
        ...plan.docker.map((c, i) => ({
          ...c,
          name: plan.dockerLines[i] ?? c.name,
          currentVersion: null,
          security: false,
        })),
      ],
    };
  }

  /**
   * A docker_apply's plan: the services it would move and the registry digests the latest check saw for them. The
   * worker asks the registry again before applying and ends plan_drifted, changing nothing, when one moved.
   */
  private async bindToDockerCheck(machine: MachineView, options: ActionOptions) {
    const plan = await dockerApplyPlan(this.db.prisma, machine.id, options);
    if (plan.kind === 'refused') throw new ConflictException(`${plan.errorKind}: ${plan.reason}`);
    if (plan.targets.length === 0)
      throw new ConflictException(
        `nothing to approve: no service of ${machine.name} has an update on record; check first (action docker_check)`,
      );
    const unchecked = plan.targets.filter((t) => !t.candidateDigest).map((t) => `${t.stack.name}/${t.service}`);
    if (unchecked.length)
      throw new ConflictException(
        `not checked yet (no registry digest on record): ${unchecked.join(', ')}; check first`,
      );
    const short = (d: string | null) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : null);
    return {
      snapshotId: null,
      analysedAt: new Date().toISOString(),
      changes: plan.changes,
      hash: planHash(plan.changes),
      packages: plan.targets.map((t) => ({
        name: `${t.stack.name}/${t.service}`,
        arch: null,
        currentVersion: short(t.stack.services.find((s) => s.serviceName === t.service)?.currentDigest ?? null),
        targetVersion: `${t.toRef}@${short(t.candidateDigest)}`,
        operation: 'docker_update',
        security: false,
      })),
    };
  }

  /**
   * The plan the person will see and approve: what the machine's latest analysis says this apply would change.
   * Read from the analysis snapshot (the canonical JSON), which alone tells kept-back-only packages from planned ones.
   */
  private async bindToAnalysis(
    action: AnalysisBoundAction,
    machine: MachineView,
    options: { packages?: string[] | undefined },
  ) {
    const plan = await planOfLatestAnalysis(this.db.prisma, machine.id, action, options.packages);
    if (plan.kind === 'none')
      throw new ConflictException(
        `machine ${machine.name} has no APT analysis yet: analyse first (action apt_update_analyze), then request ${action}; the request is bound to the plan that analysis shows`,
      );
    if (plan.kind === 'unusable')
      throw new ConflictException(
        `the latest APT analysis of ${machine.name} (${plan.analysedAt}) ended in error and has no plan to approve: fix what it reports and analyse again`,
      );
    const { packages, analysedAt } = plan;
    const missing = (options.packages ?? []).filter((n) => !packages.some((p) => p.name === n));
    if (missing.length)
      throw new ConflictException(
        `not in the ${action} plan of the latest analysis of ${machine.name} (${analysedAt}): ${missing.join(', ')} (up to date, held, or kept back: apt_dist_upgrade takes kept-back packages)`,
      );
    if (packages.length === 0)
      throw new ConflictException(
        `nothing to approve: the latest analysis of ${machine.name} (${analysedAt}) plans no change for ${action}; analyse again if updates are expected`,
      );
    const changes = packages.map(plannedChangeOf);
    return {
      snapshotId: plan.snapshotId,
      analysedAt,
      changes,
      hash: planHash(changes),
      packages: packages.map((p) => ({
        name: p.name,
        arch: p.arch,
        currentVersion: p.currentVersion,
        targetVersion: p.targetVersion,
        operation: p.operation,
        security: p.security,
      })),
    };
  }
}

/** The options a request keeps for the job its approval creates (only those given). */
function storedOptions(o: ActionOptions): NonNullable<ActionRequestPayload['options']> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as NonNullable<
    ActionRequestPayload['options']
  >;
}
