import { Title } from '@mantine/core';
import { FileDown } from 'lucide-react';
import type { Project } from '../../../../shared/domain/types';
import { EmptyState } from '../../components/EmptyState';
import type { Route } from './routes';

/** Views whose data does not exist yet in a project: each says what it will hold and how to get there. */
const TEXT = {
  reports: { icon: FileDown, title: 'No reports yet', body: 'Reports export a comparison of runs as one self-contained HTML file, a PDF and CSV tables.' },
} as const;

export function PendingView({ route, project }: { route: 'reports'; project: Project | null }) {
  const t = TEXT[route];
  return (
    <>
      <Title order={2} mb="md">{route[0].toUpperCase() + route.slice(1)}{project ? ` · ${project.name}` : ''}</Title>
      <EmptyState icon={t.icon} title={t.title}>
        {t.body}
      </EmptyState>
    </>
  );
}
