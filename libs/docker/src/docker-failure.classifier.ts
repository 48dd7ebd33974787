/** A Docker failure with its classified kind and what a person should do. */
export interface DockerFailure {
  errorKind: string;
  message: string;
  remediation: string;
}

/**
 * Why `docker` cannot be used on the machine, from a command's exit code and output, or null when nothing says so.
 * Fails closed: the caller treats any other non-zero exit of a read as `docker_unexpected_output`, never as "no stacks".
 */
export function classifyDockerFailure(exitCode: number | null, stdout: string, stderr: string): DockerFailure | null {
  const text = `${stderr}\n${stdout}`;
  if (exitCode === 127 || /docker: (command )?not found|No such file or directory.*docker/i.test(text))
    return {
      errorKind: 'docker_missing',
      message: 'docker is not installed on the machine (the docker command was not found)',
      remediation:
        'Install Docker Engine and the Compose plugin (Debian: apt-get install docker.io docker-compose), or turn Docker off for this machine.',
    };
  if (/permission denied.*docker\.sock|Got permission denied while trying to connect to the Docker daemon/i.test(text))
    return {
      errorKind: 'docker_permission_denied',
      message: 'permission denied on the Docker socket (/var/run/docker.sock)',
      remediation: "Give the machine's sudo rule the docker command (or add the SSH user to the docker group).",
    };
  if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(text))
    return {
      errorKind: 'docker_missing',
      message: 'the Docker daemon is not running (cannot connect to the Docker socket)',
      remediation: 'Start the daemon (systemctl start docker) and check `docker info` on the machine.',
    };
  if (/docker: 'compose' is not a docker command|unknown command "compose"|unknown shorthand flag.*compose/i.test(text))
    return {
      errorKind: 'docker_missing',
      message: 'the Docker Compose v2 plugin is missing (`docker compose` is not a command)',
      remediation:
        'Install the Compose plugin (Debian: apt-get install docker-compose; upstream: docker-compose-plugin).',
    };
  return null;
}

/** A read whose output could not be understood: an error, never an empty result. */
export function unexpectedOutput(what: string, detail: string): DockerFailure {
  return {
    errorKind: 'docker_unexpected_output',
    message: `${what}: ${detail.slice(0, 300)}`,
    remediation:
      'Run the command on the machine and compare its output with what Docker 20.10+ prints; report it if it differs.',
  };
}
