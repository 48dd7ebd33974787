// Run before the UI's code: asks at once what the first screen needs (who is signed in and, on the dashboard, the
// whole fleet, and its first page when that is the first screen: unfiltered, worst first or by name; see firstPageFits in
// apps/web/src/dashboard/use-machines.ts), so the server answers while the code downloads and starts. The UI takes
// these answers from window.suEarly (apps/web/src/api/early-answers.ts) and asks again when one failed. A file of its
// own, not inline: the UI's Content-Security-Policy allows scripts from 'self' only.
(function () {
  var ask = function (path) {
    return fetch(path, { credentials: 'same-origin', headers: { 'X-Requested-With': 'su-web' } }).catch(function () {
      return null;
    });
  };
  var early = { '/api/v1/auth/me': ask('/api/v1/auth/me') };
  var search = new URLSearchParams(window.location.search);
  var sort = search.get('sort') || 'status';
  var unfiltered = !search.get('q') && !search.get('tag') && !search.get('only');
  if (window.location.pathname === '/') {
    if (unfiltered && sort === 'status') {
      early['/api/v1/machines?limit=60&offset=0&sort=status'] = ask('/api/v1/machines?limit=60&offset=0&sort=status');
    }
    if (unfiltered && sort === 'name') {
      early['/api/v1/machines?limit=60&offset=0&sort=name'] = ask('/api/v1/machines?limit=60&offset=0&sort=name');
    }
    early['/api/v1/machines?limit=1000&offset=0'] = ask('/api/v1/machines?limit=1000&offset=0');
  }
  window.suEarly = early;
})();
