import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { Database, DockerStacksRepository } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { ClassifiedError } from '@su/platform';
import { composeErrorMessage } from '../compose-config.parser.ts';
import { inspectArgv, logsArgv } from '../docker-commands.ts';
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

  async lastLines(machineId: string, stackId: string, service: string, lines: number, actor: Actor) {
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
