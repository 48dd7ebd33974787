import { Box, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { importantLineIndexes } from './raw-log-lines.ts';

/**
 * A job's raw log (redacted by the worker before it was written), as text, one line per row with its number; the lines
 * the important messages point to are highlighted and the first is scrolled into view.
 */
export function RawLogViewer({
  machineId,
  artifactId,
  messages,
}: {
  machineId: string;
  artifactId: string;
  messages: string[];
}) {
  const t = useT();
  const log = useQuery({
    queryKey: ['raw-log', machineId, artifactId],
    queryFn: () =>
      unwrap<string>(
        api.GET('/api/v1/machines/{id}/raw-logs/{artifactId}', {
          params: { path: { id: machineId, artifactId } },
          parseAs: 'text',
        }),
      ),
  });
  const first = useRef<HTMLDivElement | null>(null);
  const lines = log.data?.split(/\r?\n/) ?? [];
  const marked = importantLineIndexes(lines, messages);
  useEffect(() => {
    first.current?.scrollIntoView({ block: 'center' });
  }, [log.data]);
  if (log.isPending) return <Loader size="sm" role="status" aria-label={t('common.loading')} />;
  if (log.error) return <ErrorNotice error={log.error} />;
  const firstMarked = Math.min(...marked);
  return (
    <Box mah={360} style={{ overflow: 'auto' }} aria-label={t('log.title')} role="region" tabIndex={0}>
      <Box component="pre" m={0} fz="xs" style={{ fontFamily: 'monospace' }} data-testid="raw-log">
        {lines.map((line, i) => (
          <Box
            key={i}
            ref={i === firstMarked ? first : undefined}
            component={marked.has(i) ? 'mark' : 'div'}
            display="block"
            data-important={marked.has(i) ? 'true' : undefined}
            title={marked.has(i) ? t('log.important') : undefined}
            style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
          >
            <Box component="span" c="dimmed" style={{ userSelect: 'none' }} aria-hidden>
              {String(i + 1).padStart(4)}{' '}
            </Box>
            {line}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
