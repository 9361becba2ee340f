import { Code, Group, Stack, Text } from '@mantine/core';
import type { Run } from '../../../../shared/domain/types';

interface ClientOrigin {
  host?: string;
  gitCommit?: string | null;
  command?: string;
  clientVersion?: string;
}

/** Where a run logged by a training script of the user's own came from (plateau_client: host, commit, command line). */
export function RunOrigin({ run }: { run: Run }) {
  const o = run.config.client as ClientOrigin | undefined;
  if (run.origin !== 'client' || !o) return null;
  return (
    <Stack gap={2} aria-label="Origin">
      <Text size="sm" fw={500}>
        Origin
      </Text>
      <Group gap="md">
        <Text size="xs" c="dimmed">
          host {o.host || '—'}
        </Text>
        <Text size="xs" c="dimmed">
          commit {o.gitCommit ? o.gitCommit.slice(0, 12) : 'not in a git repository'}
        </Text>
        <Text size="xs" c="dimmed">
          plateau_client {o.clientVersion ?? '—'}
        </Text>
      </Group>
      {o.command && <Code>{o.command}</Code>}
    </Stack>
  );
}
