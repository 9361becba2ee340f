import { Button, Group, Modal, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { PRESETS } from '../../../../shared/domain/presets';
import { errorMessage } from '../../api/client';
import { useStartRuns } from '../../api/queries';

/** Parses "0-4" or "0,3,7" into seeds; null when malformed. */
export function parseSeeds(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 99) return null;
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out.length ? out : null;
}

/** Start one run per seed from a preset; the core validates and names any bad field. */
export function NewRunDialog({ projectId, onClose, onStarted }: { projectId: number; onClose: () => void; onStarted: (runId: number) => void }) {
  const names = Object.keys(PRESETS);
  const [preset, setPreset] = useState(names[0]);
  const [epochs, setEpochs] = useState<number | string>(PRESETS[names[0]].config.epochs);
  const [seeds, setSeeds] = useState('0');
  const [name, setName] = useState('');
  const start = useStartRuns();
  const seedList = parseSeeds(seeds);
  const submit = () => {
    if (!seedList) return;
    start.mutate({ projectId, preset, set: { epochs: Number(epochs) }, seeds: seedList, ...(name.trim() ? { name: name.trim() } : {}) }, {
      onSuccess: (runs) => { onStarted(runs[0].id); onClose(); },
    });
  };
  return (
    <Modal opened onClose={onClose} title="New run" size="lg">
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Stack>
          <Select label="Preset" data={names} value={preset} allowDeselect={false}
            onChange={(v) => { if (v) { setPreset(v); setEpochs(PRESETS[v].config.epochs); } start.reset(); }} />
          <Text size="sm" c="dimmed">{PRESETS[preset].description}</Text>
          <Group grow align="flex-start">
            <NumberInput label="Epochs" min={1} value={epochs} onChange={(v) => { setEpochs(v); start.reset(); }} />
            <TextInput label="Seeds" description="e.g. 0 or 0-4 or 0,3,7" value={seeds} onChange={(e) => setSeeds(e.currentTarget.value)}
              error={seedList ? undefined : 'Seeds are whole numbers: 0, 0-4 or 0,3,7'} />
            <TextInput label="Name (optional)" placeholder={preset} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          </Group>
          {start.error && <Text c="red" size="sm" role="alert">{errorMessage(start.error)}</Text>}
          <Group justify="space-between">
            <Text size="sm" c="dimmed">{seedList ? `${seedList.length} run${seedList.length === 1 ? '' : 's'} will start` : ''}</Text>
            <Group>
              <Button variant="default" onClick={onClose}>Cancel</Button>
              <Button type="submit" disabled={!seedList} loading={start.isPending}>Start</Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
