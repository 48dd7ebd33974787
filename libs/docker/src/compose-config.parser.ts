/** What `docker compose config --format json` says of a project: its name and each service's image. */
export interface ComposeConfig {
  name: string;
  services: { serviceName: string; image: string | null; hasHealthcheck: boolean }[];
}

/** Parses compose's resolved configuration; throws on anything that is not one (never read as "no services"). */
export function parseComposeConfig(stdout: string): ComposeConfig {
  const doc = JSON.parse(stdout) as {
    name?: unknown;
    services?: Record<string, { image?: unknown; healthcheck?: unknown }>;
  };
  if (typeof doc.name !== 'string' || typeof doc.services !== 'object' || doc.services === null)
    throw new Error('docker compose config printed no project (no name or services)');
  const services = Object.entries(doc.services)
    .map(([serviceName, s]) => ({
      serviceName,
      image: typeof s.image === 'string' ? s.image : null,
      hasHealthcheck: typeof s.healthcheck === 'object' && s.healthcheck !== null,
    }))
    .sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  return { name: doc.name, services };
}

/** compose's error, without its noise: the last non-empty lines of stderr. */
export function composeErrorMessage(stderr: string, stdout = ''): string {
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-3).join(' ') || 'docker compose failed without a message';
}
