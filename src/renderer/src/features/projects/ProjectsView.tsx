import { ActionIcon, Badge, Group, Loader, Stack, Table, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { FolderKanban, Pencil, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { Project } from '../../../../shared/domain/types';
import { useProjects } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorText } from '../../components/ErrorText';
import { RemoveDialog, RenameDialog } from './ProjectDialogs';
import { ProjectForm } from './ProjectForm';

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function ProjectsView({
  current,
  onSelect,
  onOpen,
}: {
  current: Project | null;
  onSelect: (id: number) => void;
  onOpen: () => void;
}) {
  const projects = useProjects();
  const [renaming, setRenaming] = useState<Project | null>(null);
  const [removing, setRemoving] = useState<Project | null>(null);

  return (
    <Stack>
      <Title order={2}>Projects</Title>
      <ProjectForm onCreated={onSelect} />
      <ErrorText error={projects.error} title="Could not load projects" />
      {projects.isLoading && <Loader aria-label="Loading projects" />}
      {projects.data?.length === 0 && (
        <EmptyState icon={FolderKanban} title="No projects yet">
          A project groups the runs of one study: its trainings, imported checkpoints, metrics and reports. Name your first one above.
        </EmptyState>
      )}
      {!!projects.data?.length && (
        <Table highlightOnHover verticalSpacing="xs" aria-label="Projects">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Runs</Table.Th>
              <Table.Th>Updated</Table.Th>
              <Table.Th w={90}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {projects.data.map((p) => (
              <Table.Tr
                key={p.id}
                aria-selected={current?.id === p.id}
                style={{ cursor: 'pointer' }}
                onClick={() => {
                  onSelect(p.id);
                  onOpen();
                }}
              >
                <Table.Td>
                  <Group gap="xs">
                    <Text fw={500}>{p.name}</Text>
                    {current?.id === p.id && (
                      <Badge size="xs" variant="light">
                        current
                      </Badge>
                    )}
                  </Group>
                  {p.description && (
                    <Text size="xs" c="dimmed">
                      {p.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{p.runCount}</Table.Td>
                <Table.Td>{when(p.updatedAt)}</Table.Td>
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Group gap={4} wrap="nowrap">
                    <Tooltip label="Rename">
                      <ActionIcon variant="subtle" aria-label={`Rename ${p.name}`} onClick={() => setRenaming(p)}>
                        <Pencil size={16} />
                      </ActionIcon>
                    </Tooltip>
                    <Tooltip label="Remove">
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${p.name}`} onClick={() => setRemoving(p)}>
                        <Trash2 size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {renaming && <RenameDialog project={renaming} onClose={() => setRenaming(null)} />}
      {removing && <RemoveDialog project={removing} onClose={() => setRemoving(null)} />}
    </Stack>
  );
}
