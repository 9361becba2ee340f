import { Button, Group, Modal, Popover, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Square, Tag, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { Run } from '../../../../shared/domain/types';
import { api, errorMessage } from '../../api/client';
import { refreshRuns } from '../../api/queries';

const ACTIVE = new Set(['queued', 'running', 'paused']);

/** What to do to every selected run at once: cancel the active ones, tag them, or delete them with their files. */
export function BulkActions({ runs, onDone }: { runs: Run[]; onDone: () => void }) {
  const [tag, setTag] = useState('');
  const [confirming, setConfirming] = useState(false);
  const active = runs.filter((r) => ACTIVE.has(r.status));
  const each = useMutation({
    mutationFn: async (action: 'cancel' | 'tag' | 'remove') => {
      const targets = action === 'cancel' ? active : runs;
      // one at a time: a refusal (a run that is still running cannot be deleted) names its run
      for (const r of targets) {
        try {
          if (action === 'cancel') await api.runs.cancel({ id: r.id });
          else if (action === 'tag') await api.runs.tag({ id: r.id, add: [tag.trim()] });
          else await api.runs.remove({ id: r.id });
        } catch (err) {
          throw new Error(`${r.name}: ${errorMessage(err)}`);
        }
      }
    },
    onSettled: () => void refreshRuns(),
    onSuccess: (_, action) => {
      setConfirming(false);
      if (action === 'remove') onDone();
      setTag('');
    },
  });
  if (!runs.length) return null;
  return (
    <Group gap="xs" aria-label="Selected runs">
      <Text size="sm" c="dimmed">
        {runs.length} selected:
      </Text>
      <Button
        size="xs"
        variant="default"
        leftSection={<Square size={14} />}
        disabled={!active.length}
        onClick={() => each.mutate('cancel')}
      >
        Cancel {active.length || ''}
      </Button>
      <Popover position="bottom" withArrow>
        <Popover.Target>
          <Button size="xs" variant="default" leftSection={<Tag size={14} />}>
            Tag…
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (tag.trim()) each.mutate('tag');
            }}
          >
            <Group gap="xs">
              <TextInput
                size="xs"
                aria-label="Tag to add"
                placeholder="baseline"
                value={tag}
                onChange={(e) => setTag(e.currentTarget.value)}
              />
              <Button size="xs" type="submit" disabled={!tag.trim()}>
                Add tag
              </Button>
            </Group>
          </form>
        </Popover.Dropdown>
      </Popover>
      <Button size="xs" color="red" variant="light" leftSection={<Trash2 size={14} />} onClick={() => setConfirming(true)}>
        Delete…
      </Button>
      {each.error && (
        <Text size="sm" c="red" role="alert">
          {errorMessage(each.error)}
        </Text>
      )}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Delete ${runs.length} run${runs.length > 1 ? 's' : ''}?`}>
        <Stack>
          <Text size="sm">
            Their checkpoints, metrics and files are removed for good: {runs.map((r) => r.name).join(', ')}.
            {active.length ? ' Cancel the active ones first.' : ''}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep them
            </Button>
            <Button color="red" loading={each.isPending} onClick={() => each.mutate('remove')}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
