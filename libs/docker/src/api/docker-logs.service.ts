import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { Actor } from '@su/contracts';
import { Database, DockerStacksRepository } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { ClassifiedError, type SseEvent } from '@su/platform';
import { composeErrorMessage } from '../compose-config.parser.ts';
import { followLogsArgv, inspectArgv, logsArgv } from '../docker-commands.ts';
import { classifyDockerFailure } from '../docker-failure.classifier.ts';
import { parseContainerInspect } from '../docker-inspect.parser.ts';
import { containerOf } from '../jobs/docker-scanner.ts';

/** A service's last log lines, read over SSH on demand and never stored. */
@Injectable()
export class DockerLogsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
  ) {}

  /** The stack's service container over an open connection (404 when the stack, service or container is not there). */
  private async container(machineId: string, stackId: string, service: string, actor: Actor) {
    const stack = await new DockerStacksRepository(this.db.prisma).find(machineId, stackId);
    if (!stack) throw new NotFoundException(`stack ${stackId} not found on machine ${machineId}`);
    if (!stack.services.some((s) => s.serviceName === service))
      throw new NotFoundException(`stack ${stack.name} has no service ${service}`);
    const opened = await this.connector.open(machineId, { actor, purpose: 'docker.logs', jobId: null, reuse: false });
    try {
      const run = (argv: string[]) =>
        opened.session.run(argv, { sudo: true, timeoutMs: 60_000, maxOutputBytes: 8 * 1024 * 1024 });
      const ids = await run([
        'docker',
        'ps',
        '-aq',
        '--no-trunc',
        '--filter',
        `label=com.docker.compose.project=${stack.name}`,
      ]);
      const failure = ids.exitCode === 0 ? null : classifyDockerFailure(ids.exitCode, ids.stdout, ids.stderr);
      if (failure) throw new ClassifiedError(failure.errorKind, failure.message, failure.remediation);
      const list = ids.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const containers = list.length ? parseContainerInspect((await run(inspectArgv(list))).stdout) : [];
      const c = containerOf(containers, stack.name, service);
      if (!c) throw new NotFoundException(`service ${service} of ${stack.name} has no container`);
      return { opened, container: c, run };
    } catch (e) {
      await opened.release();
      throw e;
    }
  }

  /**
   * Follow mode: the last `lines`, then each new line as it is written, as events (`line`), until the client goes
   * away (the remote `docker logs -f` is stopped with the channel) or the container stops (`end`).
   */
  async follow(machineId: string, stackId: string, service: string, lines: number, actor: Actor) {
    const { opened, container } = await this.container(machineId, stackId, service, actor);
    return new Observable<SseEvent>((sub) => {
      const stop = new AbortController();
      let n = 0;
      let partial = '';
      const emit = (text: string) => {
        const parts = (partial + text).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) if (line) sub.next({ id: String(++n), type: 'line', data: { line } });
      };
      opened.session
        .run(followLogsArgv(container.id, lines), {
          sudo: true,
          signal: stop.signal,
          timeoutMs: 6 * 60 * 60_000,
          idleTimeoutMs: 6 * 60 * 60_000,
          maxOutputBytes: 256 * 1024 * 1024,
          onOutput: (_stream, text) => emit(text),
        })
        .then(() => {
          if (partial) sub.next({ id: String(++n), type: 'line', data: { line: partial } });
          sub.next({ id: String(++n), type: 'end', data: { container: container.name } });
          sub.complete();
        })
        .catch(() => sub.error(new Error('log stream failed')))
        .finally(() => void opened.release());
      return () => stop.abort('client went away');
    });
  }

  async lastLines(machineId: string, stackId: string, service: string, lines: number, actor: Actor) {
    const { opened, container: c, run } = await this.container(machineId, stackId, service, actor);
    try {
      const out = await run(logsArgv(c.id, lines));
      if (out.exitCode !== 0)
        throw new ClassifiedError('command_failed', `docker logs: ${composeErrorMessage(out.stderr)}`);
      // docker logs writes the container's stderr on stderr: both streams, ordered by their timestamps.
      const all = `${out.stdout}\n${out.stderr}`.split('\n').filter(Boolean).sort();
      return { container: c.name, state: c.state, health: c.health, lines: all.slice(-lines) };
    } finally {
      await opened.release();
    }
  }
}
