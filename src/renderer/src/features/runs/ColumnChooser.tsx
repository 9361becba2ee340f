import { Button, Checkbox, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { Columns3 } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { type ColumnGroup, type ColumnInfo, parseChoices, storageKey, visibleColumns } from './column-visibility';

const GROUPS: { group: ColumnGroup; title: string }[] = [
  { group: 'run', title: 'Run' },
  { group: 'final', title: 'Final values' },
  { group: 'config', title: 'Settings (shown by default where the runs differ)' },
  { group: 'metric', title: 'Metrics stored at these checkpoints' },
];

/**
 * Which columns of a table show: the reader's choices, saved per project in localStorage, over the defaults.
 * `keyOf` names the saved entry (the runs table's by default; the checkpoint table keeps its own).
 */
export function useColumnChoices(projectId: number | null, catalog: ColumnInfo[], keyOf: (projectId: number) => string = storageKey) {
  const [choices, setChoices] = useState<Record<string, boolean>>({});
  const saved = projectId === null ? null : keyOf(projectId);
  useEffect(() => {
    setChoices(saved === null ? {} : parseChoices(localStorage.getItem(saved)));
  }, [saved]);
  const update = (next: Record<string, boolean>) => {
    setChoices(next);
    if (saved === null) return;
    if (Object.keys(next).length) localStorage.setItem(saved, JSON.stringify(next));
    else localStorage.removeItem(saved);
  };
  const visibility = useMemo(() => visibleColumns(catalog, choices), [catalog, choices]);
  return { visibility, choices, update };
}

export function ColumnChooser({
  catalog,
  visibility,
  choices,
  onChange,
}: {
  catalog: ColumnInfo[];
  visibility: Record<string, boolean>;
  choices: Record<string, boolean>;
  onChange: (c: Record<string, boolean>) => void;
}) {
  const shown = catalog.filter((c) => visibility[c.id]).length;
  return (
    <Popover width={340} position="bottom-start" shadow="md" withArrow>
      <Popover.Target>
        <Button size="compact-sm" variant="default" leftSection={<Columns3 size={14} />} aria-label="Choose columns">
          Columns ({shown}/{catalog.length})
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Columns">
        <ScrollArea.Autosize mah={420}>
          <Stack gap={8}>
            {GROUPS.map(({ group, title }) => {
              const cols = catalog.filter((c) => c.group === group);
              return cols.length ? (
                <Stack key={group} gap={4}>
                  <Text size="xs" fw={700} c="dimmed">
                    {title}
                  </Text>
                  {cols.map((c) => (
                    <Checkbox
                      key={c.id}
                      size="xs"
                      label={c.label}
                      checked={!!visibility[c.id]}
                      onChange={(e) => onChange({ ...choices, [c.id]: e.currentTarget.checked })}
                    />
                  ))}
                </Stack>
              ) : null;
            })}
          </Stack>
        </ScrollArea.Autosize>
        <Group justify="flex-end" mt="xs">
          <Button size="compact-xs" variant="subtle" disabled={!Object.keys(choices).length} onClick={() => onChange({})}>
            Reset to defaults
          </Button>
        </Group>
      </Popover.Dropdown>
    </Popover>
  );
}
