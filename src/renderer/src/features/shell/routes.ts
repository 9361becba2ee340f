import { useEffect, useState } from 'react';

export const ROUTES = ['projects', 'runs', 'compare', 'checkpoints', 'sweeps', 'import', 'reports'] as const;
export type Route = (typeof ROUTES)[number];

const parse = (hash: string): Route => {
  const r = hash.replace(/^#\/?/, '').split('/')[0];
  return (ROUTES as readonly string[]).includes(r) ? (r as Route) : 'projects';
};

/** Hash routing: survives reloads on both hosts and needs no server support. */
export function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parse(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [route, (r) => { location.hash = `/${r}`; }];
}
