import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { analysisScript, splitAnalysisOutput } from './analysis.script.ts';

describe('analysis script', () => {
  it('frames each step with its exit code so it parses as if run alone', () => {
    const script = analysisScript({ lockTimeoutSeconds: 7 });
    expect(script).toContain("'DPkg::Lock::Timeout=7'");
    const fake =
      '\n@@su-step:update@@\nHit:1 x\nE: oops\n\n@@su-rc:100@@\n\n@@su-step:showhold@@\nhomelab-held\n\n@@su-rc:0@@\n';
    const steps = splitAnalysisOutput(fake);
    expect(steps.get('update')).toEqual({ output: 'Hit:1 x\nE: oops', exitCode: 100 });
    expect(steps.get('showhold')).toEqual({ output: 'homelab-held', exitCode: 0 });
  });

  it('is valid sh and its framing survives a real shell', () => {
    const real = execFileSync(
      'sh',
      ['-c', "printf '\\n@@su-step:update@@\\n'; echo hello; false; printf '\\n@@su-rc:%s@@\\n' \"$?\""],
      { encoding: 'utf8' },
    );
    expect(splitAnalysisOutput(real).get('update')).toEqual({ output: 'hello', exitCode: 1 });
    execFileSync('sh', ['-n', '-c', analysisScript({})]);
  });
});
