import { Button, Group, JsonInput, Popover, Select, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { FlaskConical } from 'lucide-react';
import { useState } from 'react';
import { DEBIAN_FASHION_MNIST_DIR } from '../../../../shared/domain/presets';
import { api, errorMessage } from '../../api/client';

const TEMPLATES: Record<string, object> = {
  idx: { kind: 'idx', dir: DEBIAN_FASHION_MNIST_DIR, trainSize: 10000, testSize: 2000 },
  npz: { kind: 'npz', path: '/path/to/data.npz' },
  csv: { kind: 'csv', train: '/path/to/train.csv', test: '/path/to/test.csv' },
  'gaussian-mixture': { kind: 'gaussian-mixture', classes: 10, dim: 784 },
  // GPT-2 checkpoints: a corpus in many languages, with the model's own tokenizer
  'text (fortunes)': {
    kind: 'text',
    fortunes: 'en',
    tokenizer: 'bpe',
    tokenizerPath: '/path/to/tokenizer.json',
    contextLength: 128,
    evalSets: [{ fortunes: 'de' }, { fortunes: 'es' }],
  },
};

/** For an imported nn.Sequential MLP or GPT-2: choose a dataset (and an MLP's activation), then compute every metric at its checkpoints. */
export function EvaluateImportButton({ runId }: { runId: number }) {
  const [opened, setOpened] = useState(false);
  const [kind, setKind] = useState('idx');
  const [json, setJson] = useState(JSON.stringify(TEMPLATES.idx, null, 2));
  const [activation, setActivation] = useState('relu');
  const evaluate = useMutation({ mutationFn: api.imports.evaluate, onSuccess: () => setOpened(false) });
  const parsed = (() => {
    try {
      return JSON.parse(json) as Record<string, unknown>;
    } catch {
      return null;
    }
  })();
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow width={420}>
      <Popover.Target>
        <Button size="xs" variant="default" leftSection={<FlaskConical size={14} />} onClick={() => setOpened((o) => !o)}>
          Evaluate on a dataset
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="sm">
            If these weights are an nn.Sequential MLP or a GPT-2, Plateau rebuilds it and computes every metric at each checkpoint on the
            data you choose (a GPT-2 on a text corpus: per-language perplexity and head metrics).
          </Text>
          <Group grow>
            <Select
              size="xs"
              label="Dataset"
              // inside the popover: a portalled list would count as a click outside and close it
              comboboxProps={{ withinPortal: false }}
              data={Object.keys(TEMPLATES)}
              value={kind}
              allowDeselect={false}
              onChange={(v) => {
                if (v) {
                  setKind(v);
                  setJson(JSON.stringify(TEMPLATES[v], null, 2));
                }
              }}
            />
            <Select
              size="xs"
              label="Activation"
              comboboxProps={{ withinPortal: false }}
              data={['relu', 'gelu', 'tanh', 'quadratic']}
              value={activation}
              allowDeselect={false}
              onChange={(v) => v && setActivation(v)}
            />
          </Group>
          <JsonInput
            size="xs"
            label="Dataset settings"
            autosize
            minRows={4}
            value={json}
            onChange={setJson}
            error={parsed ? undefined : 'Not valid JSON'}
          />
          {evaluate.error && (
            <Text size="sm" c="red" role="alert">
              {errorMessage(evaluate.error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button
              size="xs"
              disabled={!parsed}
              loading={evaluate.isPending}
              onClick={() => parsed && evaluate.mutate({ runId, dataset: parsed, activation: activation as 'relu' })}
            >
              Evaluate
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
