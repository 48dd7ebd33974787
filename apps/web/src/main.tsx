import './styles/first-screen.css.ts';
import './global.css';
import './contrast.css';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { firstPageFits, firstScreenQuery, machinesQuery } from './dashboard/use-machines.ts';
import { meQuery } from './session/session.ts';
import { theme } from './theme.ts';

// Live data arrives over SSE: queries never refetch on a timer or on focus.
const queryClient = new QueryClient({
  defaultOptions: { queries: { refetchOnWindowFocus: false, staleTime: Infinity, retry: 1 } },
});

// The first paint needs who is signed in and, on the dashboard, the fleet: all asked at once before React renders,
// rather than the fleet after the session check (a signed-out visitor's fleet request is refused and asked again later).
// public/boot.js sent these requests already; the queries take its answers. Unfiltered, in the default order (worst
// first) or by name, the fleet's first page in that order answers first and fills the first screen; the whole fleet
// follows.
void queryClient.prefetchQuery(meQuery);
if (window.location.pathname === '/') {
  const fits = firstPageFits(new URLSearchParams(window.location.search));
  if (fits) void queryClient.prefetchQuery({ ...firstScreenQuery(fits), retry: false });
  void queryClient.prefetchQuery({ ...machinesQuery, retry: false });
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
