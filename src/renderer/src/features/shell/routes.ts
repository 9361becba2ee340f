import { useEffect, useState } from 'react';

export const ROUTES = ['projects', 'runs', 'compare', 'checkpoints', 'jobs', 'sweeps', 'import', 'reports'] as const;
export type Route = (typeof ROUTES)[number];

/** '#/compare?runs=1,2' -> ['compare', 'runs=1,2']; an unknown route is Projects. */
export const splitHash = (hash: string): [Route, string] => {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const r = path.split('/')[0];
  return [(ROUTES as readonly string[]).includes(r) ? (r as Route) : 'projects', query];
};

/** The last query each route had this session: leaving Compare and coming back keeps its view. */
const lastQuery = new Map<Route, string>();
const remember = () => {
  const [r, q] = splitHash(location.hash);
  if (q) lastQuery.set(r, q);
};

/** Hash routing: survives reloads on both hosts and needs no server support. `go` restores a route's last query. */
export function useRoute(): [Route, (r: Route, query?: string) => void] {
  const [route, setRoute] = useState<Route>(() => splitHash(location.hash)[0]);
  useEffect(() => {
    remember();
    const onHash = () => {
      remember();
      setRoute(splitHash(location.hash)[0]);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [
    route,
    (r, query) => {
      const q = query ?? lastQuery.get(r) ?? '';
      location.hash = `/${r}${q ? `?${q}` : ''}`;
    },
  ];
}

/** The current route's query; re-read when the hash changes (back, forward, a pasted link). */
export function useRouteQuery(): string {
  const [query, setQuery] = useState(() => splitHash(location.hash)[1]);
  useEffect(() => {
    const onHash = () => setQuery(splitHash(location.hash)[1]);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return query;
}

/** Rewrites the current route's query in place: no history entry per slider step, and no hashchange. */
export function replaceRouteQuery(query: string) {
  const [r] = splitHash(location.hash);
  if (query) lastQuery.set(r, query);
  else lastQuery.delete(r);
  history.replaceState(history.state, '', `#/${r}${query ? `?${query}` : ''}`);
}

/** The last query a route had (for building a link into it from elsewhere). */
export const rememberedQuery = (r: Route) => lastQuery.get(r) ?? '';
