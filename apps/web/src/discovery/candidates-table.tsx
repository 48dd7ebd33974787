import { Anchor, Badge, Button, Code, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { DiscoveryCandidateView } from '../api/admin-types.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { AddCandidateForm } from './add-candidate-form.tsx';

/** The scan's candidates, read again as its progress moves (the key follows the live progress). */
export function CandidatesTable({ scanId, probed, status }: { scanId: string; probed: number; status: string }) {
  const t = useT();
  const [adding, setAdding] = useState<DiscoveryCandidateView | null>(null);
  const list = useQuery({
    queryKey: ['discovery', 'candidates', scanId, probed, status],
    queryFn: () =>
      unwrap<DiscoveryCandidateView[]>(
        api.GET('/api/v1/discovery/scans/{id}/candidates', { params: { path: { id: scanId } } }),
      ),
    placeholderData: keepPreviousData,
  });
  if (list.error) return <ErrorNotice error={list.error} />;
  const rows = list.data ?? [];
  if (!rows.length) return <Text size="sm">{t('discovery.noCandidates')}</Text>;
  return (
    <>
      <Table.ScrollContainer minWidth={760}>
        <Table aria-label={t('discovery.candidates')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('discovery.col.host')}</Table.Th>
              <Table.Th>{t('discovery.col.name')}</Table.Th>
              <Table.Th>{t('discovery.col.banner')}</Table.Th>
              <Table.Th>{t('discovery.col.fingerprint')}</Table.Th>
              <Table.Th>{t('discovery.col.state')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((c) => (
              <Table.Tr key={c.id} data-host={c.host}>
                <Table.Td>
                  {c.host}:{c.port}
                </Table.Td>
                <Table.Td>{c.reverseDns ?? '—'}</Table.Td>
                <Table.Td>{c.banner ?? t('discovery.notSsh')}</Table.Td>
                <Table.Td>
                  {c.hostKeyFingerprint ? <Code>{`${c.keyType ?? ''} ${c.hostKeyFingerprint}`}</Code> : '—'}
                </Table.Td>
                <Table.Td>
                  {c.alreadyKnown && c.knownMachineId ? (
                    <Anchor component={Link} to={`/machines/${c.knownMachineId}`}>
                      <Badge color="gray">{t('discovery.known')}</Badge>
                    </Anchor>
                  ) : c.hostKeyFingerprint ? (
                    <Button size="xs" onClick={() => setAdding(c)} aria-label={t('discovery.addHost', { host: c.host })}>
                      {t('discovery.add')}
                    </Button>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {adding && <AddCandidateForm scanId={scanId} candidate={adding} onClose={() => setAdding(null)} />}
    </>
  );
}
