import { Loader } from '@mantine/core';
import { Suspense, type ComponentType } from 'react';
import { useT } from '../preferences/preferences.tsx';

/** A page loaded on first visit, with the loading state while its chunk arrives. */
export function LazyPage({ page: Page }: { page: ComponentType }) {
  const t = useT();
  return (
    <Suspense fallback={<Loader aria-label={t('common.loading')} />}>
      <Page />
    </Suspense>
  );
}
