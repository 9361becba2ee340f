import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Project } from '../../../../shared/domain/types';
import { errorMessage } from '../../api/client';
import { useRemoveProject, useRenameProject } from '../../api/queries';
import { ErrorText } from '../../components/ErrorText';

export function RenameDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const [name, setName] = useState(project.name);
  const rename = useRenameProject();
  return (
    <Modal opened onClose={onClose} title={`Rename '${project.name}'`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate({ id: project.id, name }, { onSuccess: onClose });
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            data-autofocus
            onChange={(e) => {
              setName(e.currentTarget.value);
              rename.reset();
            }}
            error={rename.error ? errorMessage(rename.error) : undefined}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={rename.isPending}>
              Rename
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Removal deletes runs and checkpoint files: the dialog says how much, and asks once. */
export function RemoveDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const remove = useRemoveProject();
  return (
    <Modal opened onClose={onClose} title={`Remove '${project.name}'?`}>
      <Stack>
        <Text>
          This deletes the project with its {project.runCount} run{project.runCount === 1 ? '' : 's'}, their checkpoints and metrics. It
          cannot be undone.
        </Text>
        <ErrorText error={remove.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Keep it
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate({ id: project.id }, { onSuccess: onClose })}>
            Remove project
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
