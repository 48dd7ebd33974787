import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@su/db';
import { ClassifiedError } from '@su/platform';

/** A registry's answer for one image reference (the shape of @su/registry's DigestCheck, reduced to what a check uses). */
export type DigestAnswer =
  | { reference: string; status: 'ok' | 'pinned'; digest: string }
  | { reference: string; status: 'error'; error: { kind: string; message: string; remediation?: string | undefined } };

/** Newer tags than the pinned one (VersionCheck of @su/registry). */
export type VersionAnswer =
  | { reference: string; status: 'ok'; current: string; sameMajor: string | null; newest: string | null }
  | { reference: string; status: 'not_versioned' }
  | { reference: string; status: 'error'; error: { kind: string; message: string } };

/** One check's conversation with the registries: one request per unique reference, within each registry's budget. */
export interface RegistryRun {
  checkDigests(refs: readonly string[], opts?: { bypassCache?: boolean }): Promise<DigestAnswer[]>;
  checkNewerVersions(refs: readonly string[]): Promise<VersionAnswer[]>;
  stats(): { registry: string; requests: number; budget: number; rateLimited: number; waitedMs: number }[];
}

/**
 * The docker-worker's door to the registries (libs/registry, kept for the worker's life: tokens and the digest
 * cache survive between checks), configured from the registry settings and credentials of the database.
 */
@Injectable()
export class RegistryDigests {
  constructor(@Inject(Database) private readonly db: Database) {}

  async startRun(): Promise<RegistryRun> {
    void this.db;
    throw new ClassifiedError(
      'registry_error',
      'the registry client is not available in this build',
      'Use a build with libs/registry.',
    );
  }
}
