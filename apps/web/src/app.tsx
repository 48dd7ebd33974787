import { Center, Loader } from '@mantine/core';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { DashboardPage } from './dashboard/dashboard.page.tsx';
import { AppLayout } from './layout/app-layout.tsx';
import { ErrorNotice } from './layout/error-notice.tsx';
import { PreferencesProvider } from './preferences/preferences.tsx';
import { useMe } from './session/session.ts';
import { LazyPage } from './layout/lazy-page.tsx';
import { lazyPage } from './styles/with-all-styles.ts';

// Every page but the dashboard loads on first visit: the initial JS stays small (issue 12's bench). The sign-in pages
// too: a signed-in visitor, the usual one, never needs their code. Each waits for Mantine's whole stylesheet too (the
// first load has only the first screen's components' styles).
const LoginPage = lazyPage(() => import('./pages/login.page.tsx'), 'LoginPage');
const ChangePasswordPage = lazyPage(() => import('./pages/change-password.page.tsx'), 'ChangePasswordPage');
const JobsPage = lazyPage(() => import('./jobs/jobs.page.tsx'), 'JobsPage');
const ApprovalsPage = lazyPage(() => import('./approvals/approvals.page.tsx'), 'ApprovalsPage');
const SettingsPage = lazyPage(() => import('./settings/settings.page.tsx'), 'SettingsPage');
const SchedulesPage = lazyPage(() => import('./schedules/schedules.page.tsx'), 'SchedulesPage');

// The machine-facing pages load when first opened, so the dashboard's first paint does not wait for their code.
const MachinePage = lazyPage(() => import('./machine/machine.page.tsx'), 'MachinePage');
const AddMachinePage = lazyPage(() => import('./machine-add/add-machine.page.tsx'), 'AddMachinePage');
const DiscoveryPage = lazyPage(() => import('./discovery/discovery.page.tsx'), 'DiscoveryPage');
const FleetUpdatesPage = lazyPage(() => import('./updates/fleet-updates.page.tsx'), 'FleetUpdatesPage');

/** Signed out: the login page. Signed in with a password to change: that page only (the API refuses the rest). */
function Routed() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader role="status" aria-label="…" />
      </Center>
    );
  }
  const signedIn = !!me.data;
  const mustChange = me.data?.mustChangePassword === true;
  return (
    <PreferencesProvider signedIn={signedIn && !mustChange}>
      {me.error ? (
        <ErrorNotice error={me.error} />
      ) : !signedIn ? (
        <Routes>
          <Route path="/login" element={<LazyPage page={LoginPage} />} />
          <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
        </Routes>
      ) : (
        <Routes>
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route element={<AppLayout mustChangePassword={mustChange} />}>
            <Route path="/password" element={<ChangePasswordPage />} />
            {!mustChange && <Route path="/machines/new" element={<AddMachinePage />} />}
            {!mustChange && <Route path="/machines/:id" element={<MachinePage />} />}
            {!mustChange && <Route path="/updates" element={<FleetUpdatesPage />} />}
            {!mustChange && <Route path="/jobs" element={<JobsPage />} />}
            {!mustChange && <Route path="/approvals" element={<ApprovalsPage />} />}
            {!mustChange && <Route path="/discovery" element={<LazyPage page={DiscoveryPage} />} />}
            {!mustChange && <Route path="/settings" element={<LazyPage page={SettingsPage} />} />}
            {!mustChange && <Route path="/schedules/*" element={<LazyPage page={SchedulesPage} />} />}
            <Route path="*" element={mustChange ? <Navigate to="/password" replace /> : <DashboardPage />} />
          </Route>
        </Routes>
      )}
    </PreferencesProvider>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <Routed />
    </BrowserRouter>
  );
}
