import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_ARGS } from './config.ts';

const root = join(import.meta.dirname, '../../..');

describe('SERVICE_NODE_ARGS', () => {
  it('are the options of the container image too: its CMD runs node with exactly them, each quoted for sh', () => {
    const cmd = readFileSync(join(root, 'Dockerfile'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('CMD '));
    expect(cmd).toBeDefined();
    const [, , script] = JSON.parse(cmd!.slice(4)) as string[];
    expect(script).toBe(`exec node ${SERVICE_NODE_ARGS.map((a) => `'${a}'`).join(' ')} dist/apps/\${SU_SERVICE}/main.js`);
  });
});
