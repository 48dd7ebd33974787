import { describe, expect, it } from 'vitest';
import { parseImageReferenceOrThrow } from './image-reference.ts';
import { compareWithRepoDigests } from './repo-digest.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('compareWithRepoDigests', () => {
  it('matches familiar and qualified RepoDigests of the same repository', () => {
    const nginx = parseImageReferenceOrThrow('nginx:1.25');
    expect(compareWithRepoDigests(nginx, A, [`nginx@${A}`])).toBe('up_to_date');
    expect(compareWithRepoDigests(nginx, A, [`docker.io/library/nginx@${B}`])).toBe('updates_available');
    const lab = parseImageReferenceOrThrow('10.213.3.1:5000/lab/app:latest');
    expect(compareWithRepoDigests(lab, B, [`10.213.3.1:5000/lab/app@${A}`, `10.213.3.1:5000/lab/app@${B}`])).toBe(
      'up_to_date',
    );
  });

  it("ignores other repositories' digests and says unknown without any of its own", () => {
    const app = parseImageReferenceOrThrow('ghcr.io/o/app:1');
    expect(compareWithRepoDigests(app, A, [`docker.io/o/app@${A}`])).toBe('unknown');
    expect(compareWithRepoDigests(app, A, [])).toBe('unknown');
    expect(compareWithRepoDigests(app, A, ['garbage', `ghcr.io/o/app@${B}`])).toBe('updates_available');
  });
});
