import { describe, expect, it } from 'vitest';
import { parseComposeConfig } from './compose-config.parser.ts';
import { parseFoundComposeFiles } from './compose-files.parser.ts';
import { classifyDockerFailure } from './docker-failure.classifier.ts';
import { refWithTag } from '@su/runs';
import { parseContainerInspect, pulledDigest, repositoryOfRef, tagOfRef } from './docker-inspect.parser.ts';
import { parsePruneOutput } from './prune-output.parser.ts';
import { verdictOf } from './jobs/docker-check.handler.ts';
import { containerProblems, defaultProjectName } from './jobs/docker-scanner.ts';

describe('compose files found under a root', () => {
  it('groups a main file with its overrides and .env; overrides alone make no project', () => {
    const found = parseFoundComposeFiles(
      [
        '/srv/a/compose.override.yaml',
        '/srv/a/compose.yaml',
        '/srv/a/.env',
        '/srv/b/docker-compose.yml',
        '/srv/c/compose.override.yml',
        'find: ‘/srv/x’: Permission denied',
      ].join('\n'),
    );
    expect(found).toEqual([
      {
        workingDir: '/srv/a',
        composeFiles: ['/srv/a/compose.yaml', '/srv/a/compose.override.yaml'],
        envFile: '/srv/a/.env',
      },
      { workingDir: '/srv/b', composeFiles: ['/srv/b/docker-compose.yml'], envFile: null },
    ]);
  });

  it('compose project names as compose derives them from the directory', () => {
    expect(defaultProjectName('/srv/My.App')).toBe('myapp');
  });
});

describe('docker compose config --format json', () => {
  it('reads the project name and each service image (a build-only service has none)', () => {
    const c = parseComposeConfig(
      JSON.stringify({
        name: 'alpha',
        services: { web: { image: 'r:5000/web:1', healthcheck: { test: ['CMD', 'true'] } }, built: { build: {} } },
      }),
    );
    expect(c).toEqual({
      name: 'alpha',
      services: [
        { serviceName: 'built', image: null, hasHealthcheck: false },
        { serviceName: 'web', image: 'r:5000/web:1', hasHealthcheck: true },
      ],
    });
  });

  it('refuses what is not a project (never "no services")', () => {
    expect(() => parseComposeConfig('{}')).toThrow(/no project/);
    expect(() => parseComposeConfig('not json')).toThrow();
  });
});

describe('image references and RepoDigests', () => {
  it('repository and tag, Docker Hub names in their familiar form', () => {
    expect(repositoryOfRef('10.0.0.1:5000/lab/web:latest')).toBe('10.0.0.1:5000/lab/web');
    expect(repositoryOfRef('docker.io/library/nginx:1.25')).toBe('nginx');
    expect(repositoryOfRef('nginx')).toBe('nginx');
    expect(tagOfRef('host:5000/a/b')).toBe('latest');
    expect(tagOfRef('a/b:1.0@sha256:abc')).toBe('1.0');
    expect(tagOfRef('a/b@sha256:abc')).toBeNull();
    expect(refWithTag('host:5000/a/b:1.0', '1.1')).toBe('host:5000/a/b:1.1');
  });

  it('the digest an image was pulled by for the reference (multi-arch: the index digest recorded at pull)', () => {
    const img = {
      id: 'sha256:1',
      repoTags: [],
      repoDigests: ['other/repo@sha256:aaa', 'nginx@sha256:bbb'],
      labels: {},
    };
    expect(pulledDigest(img, 'docker.io/library/nginx:1.25')).toBe('sha256:bbb');
    expect(pulledDigest(img, 'ghcr.io/x/y:1')).toBeNull();
    expect(pulledDigest(undefined, 'nginx')).toBeNull();
  });

  it('containers with their compose labels, state and health', () => {
    const [c] = parseContainerInspect(
      JSON.stringify([
        {
          Id: 'abc',
          Name: '/alpha-web-1',
          Image: 'sha256:img',
          Config: {
            Image: 'r/web:1',
            Labels: {
              'com.docker.compose.project': 'alpha',
              'com.docker.compose.service': 'web',
              'com.docker.compose.project.working_dir': '/srv/alpha',
              'com.docker.compose.project.config_files': '/srv/alpha/compose.yaml,/srv/alpha/compose.override.yaml',
            },
          },
          State: { Status: 'running', ExitCode: 0, Health: { Status: 'unhealthy' } },
        },
      ]),
    );
    expect(c).toMatchObject({
      name: 'alpha-web-1',
      imageId: 'sha256:img',
      state: 'running',
      health: 'unhealthy',
      project: 'alpha',
      service: 'web',
      workingDir: '/srv/alpha',
      configFiles: ['/srv/alpha/compose.yaml', '/srv/alpha/compose.override.yaml'],
    });
    expect(() => parseContainerInspect('{"not":"an array"}')).toThrow();
  });
});

describe('check verdicts', () => {
  it('compares the running digest with the registry digest; errors keep their reason', () => {
    const ok = { reference: 'r/a:1', status: 'ok', digest: 'sha256:new' } as never;
    expect(verdictOf({ currentDigest: 'sha256:new' }, ok).status).toBe('up_to_date');
    expect(verdictOf({ currentDigest: 'sha256:old' }, ok)).toEqual({
      status: 'updates_available',
      reason: null,
      candidateDigest: 'sha256:new',
    });
    expect(verdictOf({ currentDigest: null }, ok).status).toBe('error');
    const refused = {
      reference: 'r/a:1',
      status: 'error',
      error: { kind: 'registry_auth_failed', message: 'the registry refused the credentials' },
    } as never;
    expect(verdictOf({ currentDigest: 'sha256:old' }, refused)).toMatchObject({
      status: 'error',
      reason: 'registry_auth_failed: the registry refused the credentials',
    });
  });
});

describe('container alerts', () => {
  it('only containers of enabled stacks that exited or are unhealthy', () => {
    const c = (name: string, project: string, state: string, health: string | null) => ({
      id: name,
      name,
      image: 'x',
      imageId: 'y',
      state,
      health,
      exitCode: state === 'exited' ? 1 : 0,
      project,
      service: 'web',
    });
    const problems = containerProblems(
      [
        { id: 's1', name: 'on', status: 'enabled' },
        { id: 's2', name: 'off', status: 'ignored' },
      ],
      [
        c('on-1', 'on', 'exited', null),
        c('on-2', 'on', 'running', 'unhealthy'),
        c('on-3', 'on', 'running', 'healthy'),
        c('off-1', 'off', 'exited', null),
      ],
    );
    expect(problems.map((p) => [p.containerName, p.state])).toEqual([
      ['on-1', 'exited'],
      ['on-2', 'unhealthy'],
    ]);
  });
});

describe('failures and prune output', () => {
  it('classifies a missing docker, a refused socket and a stopped daemon', () => {
    expect(classifyDockerFailure(127, '', 'sh: 1: docker: not found')?.errorKind).toBe('docker_missing');
    expect(
      classifyDockerFailure(
        1,
        '',
        'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version": dial unix /var/run/docker.sock: connect: permission denied',
      )?.errorKind,
    ).toBe('docker_permission_denied');
    expect(
      classifyDockerFailure(
        1,
        '',
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      )?.errorKind,
    ).toBe('docker_missing');
    expect(classifyDockerFailure(1, '', 'something else')).toBeNull();
  });

  it("reads Docker's reclaimed space in bytes (decimal units) and the deleted images", () => {
    expect(
      parsePruneOutput(
        'Deleted Images:\nuntagged: r/junk@sha256:aa\ndeleted: sha256:bb\ndeleted: sha256:cc\n\nTotal reclaimed space: 1.234MB\n',
      ),
    ).toEqual({ imagesDeleted: ['r/junk@sha256:aa', 'sha256:bb', 'sha256:cc'], bytesReclaimed: 1_234_000 });
    expect(parsePruneOutput('Total reclaimed space: 0B\n')).toEqual({ imagesDeleted: [], bytesReclaimed: 0 });
    expect(parsePruneOutput('garbage')).toBeNull();
  });
});
