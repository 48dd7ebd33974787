// A repository's tags from `/v2/<repo>/tags/list`, following the Link header's rel="next" pages (`n` and `last`, as
// the registry writes them), each page a request within the run's budget, up to a page limit.
import type { HttpAnswer } from './http-client.ts';
import { parseNextLink } from './http-headers.parser.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryRunState } from './registry-run-state.ts';
import type { ResolvedRegistry } from './registry-settings.ts';
import type { RegistryTransport } from './registry-transport.ts';

export interface TagListOptions {
  pageSize: number;
  maxPages: number;
}

const PAGE_MAX_BYTES = 8 * 1024 * 1024;

function readPage(res: HttpAnswer, reg: ResolvedRegistry, repository: string): string[] {
  let body: { tags?: unknown };
  try {
    body = res.json() as { tags?: unknown };
  } catch {
    throw new RegistryError('registry_error', `${reg.registry} sent an invalid tag list for ${repository}`);
  }
  const tags = Array.isArray(body.tags) ? body.tags : [];
  return tags.filter((t): t is string => typeof t === 'string');
}

export async function listTags(
  transport: RegistryTransport,
  reg: ResolvedRegistry,
  repository: string,
  run: RegistryRunState,
  opts: TagListOptions,
): Promise<string[]> {
  const tags: string[] = [];
  let url: string | null = `/v2/${repository}/tags/list?n=${opts.pageSize}`;
  for (let page = 0; url !== null && page < opts.maxPages; page++) {
    const req = {
      reg,
      repository,
      method: 'GET' as const,
      url,
      accept: 'application/json',
      maxBodyBytes: PAGE_MAX_BYTES,
    };
    const res = await transport.send(req, run);
    if (!res.ok) {
      if (res.status === 404)
        throw new RegistryError('manifest_not_found', `${reg.registry} has no repository ${repository}`);
      throw new RegistryError(
        'registry_error',
        `${reg.registry} answered HTTP ${res.status} for the tags of ${repository}`,
      );
    }
    tags.push(...readPage(res, reg, repository));
    url = parseNextLink(res.headers.get('link'), new URL(url, reg.baseUrl).toString());
  }
  return tags;
}
