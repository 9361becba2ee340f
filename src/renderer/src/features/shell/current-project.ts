import { useEffect, useState } from 'react';
import type { Project } from '../../../../shared/domain/types';

const KEY = 'plateau.currentProject';

/** The selected project, remembered across reloads; falls back to the most recent one. */
export function useCurrentProject(projects: Project[] | undefined): [Project | null, (id: number | null) => void] {
  const [id, setId] = useState<number | null>(() => Number(localStorage.getItem(KEY)) || null);
  useEffect(() => {
    if (id === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, String(id));
  }, [id]);
  const current = projects?.find((p) => p.id === id) ?? projects?.[0] ?? null;
  return [current, setId];
}
