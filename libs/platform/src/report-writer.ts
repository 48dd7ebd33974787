import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { ReportsRepository, type Tx } from '@su/db';
import { APP_CONFIG } from './tokens.ts';

/** Readable Markdown reports of executions: a file under `<data>/reports/<machine>/` and its `reports` row. */
@Injectable()
export class ReportWriter {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async write(
    tx: Tx,
    r: { machineId: string; executionId: string; kind: string; title: string; markdown: string; summary: object },
  ): Promise<string> {
    const path = join(this.config.dataDir, 'reports', r.machineId, `${r.executionId}.md`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, r.markdown, { mode: 0o640 });
    return new ReportsRepository(tx).insert({
      machineId: r.machineId,
      executionId: r.executionId,
      kind: r.kind,
      title: r.title,
      path,
      summary: r.summary,
    });
  }
}

/** Markdown table with escaped cells. */
export function markdownTable(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) =>
    String(v ?? '—')
      .replace(/\|/g, '\\|')
      .replace(/\n/g, ' ');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}
