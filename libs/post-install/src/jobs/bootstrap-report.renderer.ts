export interface BootstrapStep {
  step: string;
  ok: boolean;
  /** Last lines of what it printed (redacted by the session). */
  output: string[];
}

/** The bootstrap's Markdown report: each step, whether it worked, and whether the credentials were switched. */
export function renderBootstrapReport(x: {
  machineName: string;
  user: string;
  steps: BootstrapStep[];
  failure: { errorKind: string; message: string } | null;
  startedAt: string;
  finishedAt: string;
}): string {
  const lines = [
    `# Bootstrap of the automation user ${x.user} on ${x.machineName}`,
    '',
    x.failure
      ? `- Status: **failed** (${x.failure.errorKind}): ${x.failure.message}. The previous credentials are kept.`
      : `- Status: **done**: the machine's login is now ${x.user} with its ed25519 key (stored encrypted); the password is no longer stored.`,
    `- Started: ${x.startedAt}; finished: ${x.finishedAt}`,
    '',
    '## Steps',
    '',
  ];
  for (const s of x.steps) {
    lines.push(`- ${s.ok ? '✔' : '✘'} ${s.step}`);
    for (const o of s.output.slice(-10)) lines.push(`  - \`${o.replace(/`/g, "'")}\``);
  }
  return `${lines.join('\n')}\n`;
}
