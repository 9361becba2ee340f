import { Button, Group, TextInput } from '@mantine/core';
import { Plus } from 'lucide-react';
import { useState } from 'react';
import { useCreateProject } from '../../api/queries';
import { errorMessage } from '../../api/client';

/** Inline "new project" form; the core's validation message shows under the field. */
export function ProjectForm({ onCreated }: { onCreated: (id: number) => void }) {
  const [name, setName] = useState('');
  const create = useCreateProject();
  const submit = () =>
    create.mutate(
      { name },
      {
        onSuccess: (p) => {
          setName('');
          onCreated(p.id);
        },
      },
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      aria-label="New project"
    >
      <Group align="flex-start">
        <TextInput
          label="New project"
          placeholder="e.g. grokking-interventions"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            create.reset();
          }}
          error={create.error ? errorMessage(create.error) : undefined}
          w={360}
        />
        <Button type="submit" mt={25} leftSection={<Plus size={16} />} loading={create.isPending}>
          Create project
        </Button>
      </Group>
    </form>
  );
}
