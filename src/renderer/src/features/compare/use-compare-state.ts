import { useEffect, useRef, useState } from 'react';
import { replaceRouteQuery, useRouteQuery } from '../shell/routes';
import { type CompareState, decodeCompare, encodeCompare } from './compare-url';

/**
 * The Compare view's state, kept in the URL's query: read on mount and whenever the hash changes (back,
 * forward, a pasted link), written back in place on every change. A link's project becomes the current
 * one; switching project here starts an empty selection (run ids belong to one project).
 */
export function useCompareState(
  projectId: number | null,
  setProject: (id: number) => void,
): [CompareState, (patch: Partial<CompareState>) => void] {
  const query = useRouteQuery();
  const [state, setState] = useState(() => decodeCompare(query));
  useEffect(() => {
    const s = decodeCompare(query);
    setState(s);
    if (s.project !== null && s.project !== projectId) setProject(s.project);
    // only a new query drives the project; the reverse is the effect below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  const previous = useRef(projectId);
  useEffect(() => {
    const was = previous.current;
    previous.current = projectId;
    if (was !== null && projectId !== null && was !== projectId) {
      setState((s) => (s.project === projectId ? s : { ...s, project: projectId, runs: [] }));
    }
  }, [projectId]);

  useEffect(() => {
    replaceRouteQuery(encodeCompare({ ...state, project: projectId }));
  }, [state, projectId]);
  return [state, (patch) => setState((s) => ({ ...s, ...patch }))];
}
