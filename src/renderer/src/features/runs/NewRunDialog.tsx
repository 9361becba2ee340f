import {
  Accordion,
  Autocomplete,
  Button,
  defaultOptionsFilter,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import type { OptionsFilter } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { datasetKinds } from '../../../../shared/domain/dataset-config';
import type { KindInfo, KindRegistry } from '../../../../shared/domain/kinds';
import { PRESETS } from '../../../../shared/domain/presets';
import { modelFamilies } from '../../../../shared/domain/train-config';
import type { Run } from '../../../../shared/domain/types';
import { api, errorMessage } from '../../api/client';
import { useStartRuns, useSystemInfo } from '../../api/queries';
import { formFields, parseExtra, planRuns, show, textsFrom, type Value } from './config-form';
import { GROUP_TITLE, SettingLabel } from './SettingLabel';

/** Parses "0-4" or "0,3,7" into seeds; null when malformed. */
export function parseSeeds(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 99) return null;
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out.length ? out : null;
}

/** Fields picked from a registry (a plugin's kinds included, once system.info has arrived). */
const PICKERS: Record<string, KindRegistry<KindInfo>> = { 'model.kind': modelFamilies, 'dataset.kind': datasetKinds };

/** A picker lists every kind while its field holds one (opening it is choosing another); typing narrows it. */
const allWhileChosen =
  (registry: KindRegistry<KindInfo>): OptionsFilter =>
  (input) =>
    registry.get(input.search.trim()) ? input.options : (defaultOptionsFilter(input) as ReturnType<OptionsFilter>);

const GROUPS = ['dataset', 'model', 'optimizer', 'schedule', 'checkpoints', 'interventions'];
const groupOf = (path: string) => (GROUPS.includes(path.split('.')[0]) ? path.split('.')[0] : 'training');
const describe = (combo: Record<string, Value>) =>
  Object.entries(combo)
    .map(([k, v]) => `${k.split('.').at(-1)}=${show(v)}`)
    .join(' ');

/**
 * A preset plus every setting, validated inline with the shared schema. Several comma-separated values
 * in a field make a sweep: the grid times the seeds is the number of runs, shown before starting.
 */
export function NewRunDialog({
  projectId,
  from,
  onClose,
  onStarted,
  onSweep,
}: {
  projectId: number;
  /** A run to clone: its preset, with every setting it changed pre-filled (the user changes more before starting). */
  from?: Run;
  onClose: () => void;
  onStarted: (runId: number) => void;
  onSweep?: () => void;
}) {
  const names = Object.keys(PRESETS);
  const start0 = from?.preset && PRESETS[from.preset] ? from.preset : names[0];
  const [preset, setPreset] = useState(start0);
  const [texts, setTexts] = useState<Record<string, string>>(() => (from ? textsFrom(from.config, PRESETS[start0].config) : {}));
  const [extraText, setExtraText] = useState('');
  const extra = useMemo(() => parseExtra(extraText), [extraText]);
  const [seeds, setSeeds] = useState(String(from?.seed ?? 0));
  const [name, setName] = useState('');
  const start = useStartRuns();
  const [cluster, setCluster] = useState(false);
  const [backend, setBackend] = useState<string | null>(null);
  const info = useSystemInfo();
  const [slurm, setSlurm] = useState({ sharedDir: '', partition: '', time: '', ssh: '' });
  const submitSweep = useMutation({ mutationFn: api.sweeps.submit });
  const base = PRESETS[preset].config;
  // info: the registries gain the core's plugin kinds when it arrives, so the form is read again then
  const fields = useMemo(() => formFields(base, texts), [base, texts, info.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const plan = useMemo(() => planRuns(base, fields, texts, extra.set), [base, fields, texts, extra.set]);
  const seedList = parseSeeds(seeds);
  const study = PRESETS[preset].study;
  const variants = study ? Object.keys(study.variants) : [];
  const count = plan.combos.length * (seedList?.length ?? 0) * Math.max(1, variants.length);
  const valid = !!seedList && count > 0 && Object.keys(plan.errors).length === 0 && !extra.error;
  // the typed settings' own errors (a misspelt key names its nearest), shown under the box they were typed in
  const extraErrors = Object.keys(extra.set)
    .filter((k) => plan.errors[k] && !fields.some((f) => f.path === k))
    .map((k) => `${k} ${plan.errors[k]}`);
  const text = (path: string, baseValue: Value) => texts[path] ?? show(baseValue);
  const submitToCluster = async () => {
    const points = plan.combos.flatMap((combo) =>
      seedList!.map((seed) => ({
        seed,
        set: Object.fromEntries(Object.entries({ ...plan.set, ...combo }).map(([k, v]) => [k, show(v)])),
      })),
    );
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    await submitSweep.mutateAsync({
      projectId,
      preset,
      points,
      sharedDir: slurm.sharedDir.trim(),
      slurm: { partition: opt(slurm.partition), time: opt(slurm.time), ssh: opt(slurm.ssh) },
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    onSweep?.();
    onClose();
  };
  const submit = async () => {
    if (cluster) return submitToCluster();
    let first: number | undefined;
    for (const combo of plan.combos) {
      // Unnamed single settings are named by the core (preset and seed); grid points carry their values.
      const label = name.trim() || (Object.keys(combo).length ? `${preset} ${describe(combo)}` : undefined);
      const runs = await start.mutateAsync({
        projectId,
        preset,
        set: { ...plan.set, ...combo },
        seeds: seedList!,
        ...(label ? { name: label } : {}),
        ...(backend ? { backend: backend as 'wasm' } : {}),
      });
      first ??= runs[0].id;
    }
    if (first !== undefined) onStarted(first);
    onClose();
  };
  const epochs = fields.find((f) => f.path === 'epochs');
  return (
    <Modal opened onClose={onClose} title={from ? `New run from ${from.name}` : 'New run'} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void submit().catch(() => {});
        }}
      >
        <Stack>
          <Select
            label="Preset"
            data={names}
            value={preset}
            allowDeselect={false}
            onChange={(v) => {
              if (v) {
                setPreset(v);
                setTexts({});
                setExtraText('');
                setSeeds(PRESETS[v].study?.seeds.join(',') ?? '0');
                setCluster(false);
              }
              start.reset();
            }}
          />
          <Text size="sm" c="dimmed">
            {PRESETS[preset].description}
          </Text>
          {study && (
            <Text size="sm">
              A study: every variant ({variants.join(', ')}) starts for each seed; the settings below are the baseline's and apply to all.
            </Text>
          )}
          <Group grow align="flex-end">
            {epochs && (
              <TextInput
                label={<SettingLabel path="epochs" />}
                value={text('epochs', epochs.base)}
                error={plan.errors.epochs}
                onChange={(e) => setTexts({ ...texts, epochs: e.currentTarget.value })}
              />
            )}
            <TextInput
              label="Seeds"
              description="e.g. 0 or 0-4 or 0,3,7"
              value={seeds}
              onChange={(e) => setSeeds(e.currentTarget.value)}
              error={seedList ? undefined : 'Seeds are whole numbers: 0, 0-4 or 0,3,7'}
            />
            <TextInput label="Name (optional)" placeholder={preset} value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Select
              label="Backend"
              placeholder={`automatic (${info.data?.backends.chosen ?? '…'})`}
              clearable
              value={backend}
              onChange={setBackend}
              data={info.data?.backends.available ?? []}
            />
          </Group>
          <Accordion variant="contained" chevronPosition="left">
            {[...GROUPS, 'training'].map((g) => {
              const group = fields.filter((f) => groupOf(f.path) === g && f.path !== 'epochs');
              if (!group.length) return null;
              return (
                <Accordion.Item key={g} value={g}>
                  <Accordion.Control>
                    {GROUP_TITLE[g] ?? g}
                    {group.some((f) => plan.errors[f.path]) ? ' — needs a fix' : ''}
                  </Accordion.Control>
                  <Accordion.Panel>
                    <SimpleGrid cols={3}>
                      {group.map((f) => {
                        const edit = (value: string) => {
                          setTexts({ ...texts, [f.path]: value });
                          start.reset();
                        };
                        const registry = PICKERS[f.path];
                        if (registry) {
                          const value = text(f.path, f.base);
                          return (
                            <Autocomplete
                              key={f.path}
                              size="xs"
                              label={<SettingLabel path={f.path} />}
                              description={registry.get(value.trim())?.label}
                              data={registry.list().map((k) => k.kind)}
                              filter={allWhileChosen(registry)}
                              renderOption={({ option }) => (
                                <span>
                                  {option.value}{' '}
                                  <Text span size="xs" c="dimmed">
                                    {registry.get(option.value)?.label}
                                  </Text>
                                </span>
                              )}
                              value={value}
                              error={plan.errors[f.path]}
                              onChange={edit}
                            />
                          );
                        }
                        return (
                          <TextInput
                            key={f.path}
                            size="xs"
                            label={<SettingLabel path={f.path} />}
                            value={text(f.path, f.base)}
                            error={plan.errors[f.path]}
                            onChange={(e) => edit(e.currentTarget.value)}
                          />
                        );
                      })}
                    </SimpleGrid>
                  </Accordion.Panel>
                </Accordion.Item>
              );
            })}
          </Accordion>
          <Text size="xs" c="dimmed">
            Several values separated by commas make a sweep (e.g. Learning rate = 1e-3, 3e-3, 1e-2).
          </Text>
          <Textarea
            label="More settings (key=value, one a line)"
            description="As plateau train --set takes them, e.g. optimizer.lr=3e-3; a key that is not a setting is named, with the nearest one"
            placeholder="optimizer.lr=3e-3"
            autosize
            minRows={1}
            maxRows={6}
            value={extraText}
            error={extra.error ?? (extraErrors.length ? extraErrors.join('\n') : undefined)}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' }, error: { whiteSpace: 'pre-line' } }}
            onChange={(e) => {
              setExtraText(e.currentTarget.value);
              start.reset();
            }}
          />
          <Switch
            label="Run on a Slurm cluster (one job array; results are collected from the Sweeps view)"
            checked={cluster}
            onChange={(e) => setCluster(e.currentTarget.checked)}
            disabled={!!study}
            description={study ? 'A study runs here; submit a preset per variant to a cluster.' : undefined}
          />
          {cluster && (
            <SimpleGrid cols={4}>
              <TextInput
                size="xs"
                label="Shared folder"
                description="the compute nodes can write it"
                value={slurm.sharedDir}
                onChange={(e) => setSlurm({ ...slurm, sharedDir: e.currentTarget.value })}
              />
              <TextInput
                size="xs"
                label="Partition"
                description="optional"
                value={slurm.partition}
                onChange={(e) => setSlurm({ ...slurm, partition: e.currentTarget.value })}
              />
              <TextInput
                size="xs"
                label="Time limit"
                description="HH:MM:SS, optional"
                value={slurm.time}
                onChange={(e) => setSlurm({ ...slurm, time: e.currentTarget.value })}
              />
              <TextInput
                size="xs"
                label="Login host (ssh)"
                description="user@host, optional"
                value={slurm.ssh}
                onChange={(e) => setSlurm({ ...slurm, ssh: e.currentTarget.value })}
              />
            </SimpleGrid>
          )}
          {(start.error ?? submitSweep.error) && (
            <Text c="red" size="sm" role="alert">
              {errorMessage(start.error ?? submitSweep.error)}
            </Text>
          )}
          <Group justify="space-between">
            <Text size="sm" aria-live="polite">
              {valid
                ? `${count} run${count === 1 ? '' : 's'} will start${plan.combos.length > 1 || study ? ` (${[plan.combos.length > 1 && `${plan.combos.length} settings`, study && `${variants.length} variants`, `${seedList!.length} seeds`].filter(Boolean).join(' × ')})` : ''}`
                : 'Fix the marked fields to start'}
            </Text>
            <Group>
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button
                type="submit"
                disabled={!valid || (cluster && !slurm.sharedDir.trim())}
                loading={start.isPending || submitSweep.isPending}
              >
                {cluster ? 'Submit to Slurm' : 'Start'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
