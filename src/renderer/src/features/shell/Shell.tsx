import { ActionIcon, AppShell, Badge, Group, Kbd, NavLink, Select, Text, Tooltip, useMantineColorScheme } from '@mantine/core';
import { useState } from 'react';
import {
  ChartLine,
  Database,
  FileDown,
  FolderKanban,
  ListChecks,
  ListTodo,
  Moon,
  PackageOpen,
  Server,
  Settings,
  Sun,
  type LucideIcon,
} from 'lucide-react';
import { useProjects, useSystemInfo } from '../../api/queries';
import { CheckpointsView } from '../checkpoints/CheckpointsView';
import { CompareView } from '../compare/CompareView';
import { ImportView } from '../import/ImportView';
import { JobsView } from '../jobs/JobsView';
import { ProjectsView } from '../projects/ProjectsView';
import { ReportsView } from '../reports/ReportsView';
import { SweepsView } from '../sweeps/SweepsView';
import { RunsView } from '../runs/RunsView';
import { CommandPalette, type PaletteAction } from './CommandPalette';
import { SettingsDialog } from './SettingsDialog';
import { useCurrentProject } from './current-project';
import { encodeCompare, decodeCompare } from '../compare/compare-url';
import { rememberedQuery, useRoute, type Route } from './routes';

const NAV: { route: Route; label: string; icon: LucideIcon }[] = [
  { route: 'projects', label: 'Projects', icon: FolderKanban },
  { route: 'runs', label: 'Runs', icon: ListChecks },
  { route: 'compare', label: 'Compare', icon: ChartLine },
  { route: 'checkpoints', label: 'Checkpoints', icon: Database },
  { route: 'jobs', label: 'Jobs', icon: ListTodo },
  { route: 'sweeps', label: 'Sweeps', icon: Server },
  { route: 'import', label: 'Import', icon: PackageOpen },
  { route: 'reports', label: 'Reports', icon: FileDown },
];

function ThemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const dark = colorScheme === 'dark';
  return (
    <Tooltip label={dark ? 'Light theme' : 'Dark theme'}>
      <ActionIcon variant="subtle" aria-label="Toggle colour theme" onClick={() => setColorScheme(dark ? 'light' : 'dark')}>
        {dark ? <Sun size={18} /> : <Moon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

export function Shell() {
  const [route, go] = useRoute();
  const projects = useProjects();
  const info = useSystemInfo();
  const [project, setProject] = useCurrentProject(projects.data);
  const [creating, setCreating] = useState(false);
  const [settings, setSettings] = useState(false);
  const { toggleColorScheme } = useMantineColorScheme();
  // Compare with these runs, keeping the rest of the last Compare view (metrics, axes)
  const compareLink = (ids: number[]) =>
    encodeCompare({ ...decodeCompare(rememberedQuery('compare')), project: project?.id ?? null, runs: ids.map(String) });
  const actions: PaletteAction[] = [
    ...NAV.map(({ route: r, label }) => ({ id: `go-${r}`, group: 'Go to', label, run: () => go(r) })),
    {
      id: 'new-run',
      group: 'Actions',
      label: 'New run…',
      keywords: ['train', 'start'],
      run: () => {
        go('runs');
        setCreating(true);
      },
    },
    { id: 'theme', group: 'Actions', label: 'Toggle light / dark theme', run: toggleColorScheme },
    {
      id: 'settings',
      group: 'Actions',
      label: 'Settings: jobs at once, threads per job…',
      keywords: ['cores', 'parallel', 'concurrency'],
      run: () => setSettings(true),
    },
    ...(projects.data ?? []).map((p) => ({
      id: `project-${p.id}`,
      group: 'Switch project',
      label: p.name,
      keywords: ['project', String(p.id)],
      run: () => setProject(p.id),
    })),
  ];

  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="md">
            <Text fw={700} size="lg">
              Plateau
            </Text>
            <Select
              aria-label="Current project"
              placeholder={projects.data?.length ? 'Choose a project' : 'No projects yet'}
              data={(projects.data ?? []).map((p) => ({ value: String(p.id), label: p.name }))}
              value={project ? String(project.id) : null}
              onChange={(v) => setProject(v ? Number(v) : null)}
              w={240}
              size="xs"
              searchable
              nothingFoundMessage="No such project"
            />
          </Group>
          <Group gap="xs">
            {info.data && (
              <Tooltip label={`Data: ${info.data.dataDir}`}>
                <Badge variant="light" color="gray">
                  {info.data.host} · {info.data.backends.chosen ?? 'no backend'}
                </Badge>
              </Tooltip>
            )}
            <Tooltip label="Command palette">
              <Text size="xs" c="dimmed">
                <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">K</Kbd>
              </Text>
            </Tooltip>
            <Tooltip label="Settings">
              <ActionIcon variant="subtle" aria-label="Settings" onClick={() => setSettings(true)}>
                <Settings size={18} />
              </ActionIcon>
            </Tooltip>
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.map(({ route: r, label, icon: Icon }) => (
          <NavLink
            key={r}
            href={`#/${r}`}
            label={label}
            leftSection={<Icon size={16} />}
            active={route === r}
            aria-current={route === r ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              go(r);
            }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {route === 'projects' && <ProjectsView current={project} onSelect={(id) => setProject(id)} onOpen={() => go('runs')} />}
        {route === 'runs' && (
          <RunsView
            project={project}
            onCreateProject={() => go('projects')}
            creating={creating}
            setCreating={setCreating}
            onCompare={(ids) => go('compare', compareLink(ids))}
            onSweep={() => go('sweeps')}
          />
        )}
        {route === 'compare' && <CompareView project={project} setProject={setProject} />}
        {route === 'checkpoints' && <CheckpointsView project={project} />}
        {route === 'import' && <ImportView project={project} onImported={() => go('runs')} />}
        {route === 'reports' && <ReportsView project={project} />}
        {route === 'sweeps' && <SweepsView project={project} />}
        {route === 'jobs' && <JobsView project={project} />}
      </AppShell.Main>
      <CommandPalette actions={actions} />
      {settings && <SettingsDialog onClose={() => setSettings(false)} />}
    </AppShell>
  );
}
