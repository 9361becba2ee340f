import { Accordion, Badge, Button, Card, Group, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { FolderKanban, PackageOpen, Search } from 'lucide-react';
import { useRef, useState } from 'react';
import type { ImportFormatInfo, ImportLogRun, Project } from '../../../../shared/domain/types';
import { LogRunsPreview } from './LogRunsPreview';
import { api, errorMessage } from '../../api/client';
import { useSystemInfo } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { foldOptimizer } from './optimizer-fold';
import { TensorTable } from './TensorTable';
import { uploadFiles } from './upload';

/** What the core reads, from its format registry (system.info): this view keeps no list of its own. */
function formatsLine(formats: readonly ImportFormatInfo[] | undefined): string {
  if (!formats?.length) return 'A checkpoint file, or a folder of checkpoints';
  const one = (f: ImportFormatInfo) => (f.extensions.length ? `${f.label} (${f.extensions.map((e) => `.${e}`).join(', ')})` : f.label);
  return `${formats.map(one).join(', ')}, or a folder of these (Hugging Face checkpoint folders included)`;
}

/** Path in, preview of what is inside, then import as a run: nothing is written before the user says so. */
export function ImportView({ project, onImported }: { project: Project | null; onImported: () => void }) {
  const [path, setPath] = useState('');
  const inspect = useMutation({ mutationFn: api.imports.inspect });
  const start = useMutation({ mutationFn: api.imports.start, onSuccess: onImported });
  // Training logs: each run found is started by its own folder, all read and checked by the preview first.
  const startLogs = useMutation({
    mutationFn: async (runs: ImportLogRun[]) => {
      for (const r of runs) await api.imports.start({ projectId: project!.id, path: r.path, name: r.name });
    },
    onSuccess: onImported,
  });
  const [upload, setUpload] = useState<{ fraction: number; error?: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const info = useSystemInfo();
  if (!project)
    return (
      <EmptyState icon={FolderKanban} title="Choose a project">
        Imported checkpoints become runs of a project.
      </EmptyState>
    );
  const preview = inspect.data;
  const fold = preview && foldOptimizer(preview.tensors, preview.scalars);
  const inspectPath = (target: string) => {
    setPath(target);
    start.reset();
    inspect.mutate({ path: target });
  };
  const onDrop = async (files: File[]) => {
    if (!files.length) return;
    const bridge = window.plateau;
    if (bridge) {
      // Electron: the files are on this machine already; read them where they are
      const paths = files.map((f) => bridge.pathForFile(f)).filter(Boolean);
      if (paths.length === 1) inspectPath(paths[0]);
      else
        setUpload({
          fraction: 0,
          error: paths.length
            ? 'Drop one file or one folder (a folder of checkpoints imports as one run).'
            : 'That is not a file on this machine.',
        });
      return;
    }
    setUpload({ fraction: 0 });
    try {
      const saved = await uploadFiles(files, (fraction) => setUpload({ fraction }));
      setUpload(null);
      inspectPath(saved.length > 1 ? saved[0].dir : saved[0].path); // several files: one folder, one run
    } catch (err) {
      setUpload({ fraction: 0, error: errorMessage(err) });
    }
  };
  const onDesktop = !!window.plateau; // Electron reads dropped paths directly; the browser host takes uploads
  // A click on the drop zone picks files as a drop would: the native dialog on the desktop, the browser's chooser here.
  const chooseFiles = async () => {
    if (!onDesktop) return picker.current?.click();
    const { path: picked } = await api.system.pickPath({ kind: 'file' });
    if (picked) inspectPath(picked);
  };
  return (
    <Stack>
      <Title order={2}>Import · {project.name}</Title>
      <Card withBorder>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            start.reset();
            inspect.mutate({ path: path.trim() });
          }}
          aria-label="Import a file"
        >
          <Group align="flex-start">
            <TextInput
              label="File or folder on the host"
              description={formatsLine(info.data?.importFormats)}
              placeholder="/data/checkpoints/run-3"
              value={path}
              onChange={(e) => {
                setPath(e.currentTarget.value);
                inspect.reset();
              }}
              style={{ flex: 1 }}
              error={inspect.error ? errorMessage(inspect.error) : undefined}
            />
            {onDesktop &&
              (['file', 'folder'] as const).map((kind) => (
                <Button
                  key={kind}
                  mt={48}
                  variant="default"
                  onClick={async () => {
                    const { path: picked } = await api.system.pickPath({ kind });
                    if (picked) inspectPath(picked);
                  }}
                >
                  Choose {kind}…
                </Button>
              ))}
            <Button type="submit" mt={48} leftSection={<Search size={16} />} loading={inspect.isPending} disabled={!path.trim()}>
              Inspect
            </Button>
          </Group>
        </form>
      </Card>
      <Card
        withBorder
        p="lg"
        aria-label="Drop files here"
        role="region"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void onDrop(Array.from(e.dataTransfer.files));
        }}
        onClick={() => void chooseFiles()}
        style={{
          borderStyle: 'dashed',
          background: dragging ? 'var(--mantine-primary-color-light)' : undefined,
          textAlign: 'center',
          cursor: 'pointer',
        }}
      >
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Choose files to upload"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = ''; // the same file chosen again still counts
            void onDrop(files);
          }}
        />
        <Text size="sm">
          {onDesktop
            ? 'Or drop a checkpoint file or folder here, or click to choose one: it is inspected where it lies.'
            : 'Or drop checkpoint files here, or click to choose them (several files of one run: together). They are uploaded to the host, then inspected.'}
        </Text>
        {upload && !upload.error && <Progress mt="sm" value={upload.fraction * 100} aria-label="Upload progress" />}
        {upload?.error && (
          <Text c="red" size="sm" role="alert">
            {upload.error}
          </Text>
        )}
      </Card>
      {!preview && !inspect.error && (
        <EmptyState icon={PackageOpen} title="Bring in checkpoints or training logs made elsewhere">
          Plateau reads the file without running anything from it, shows its tensors, then imports it as a run with weights-only metrics (a
          feature dump gets every METRICS.md metric). A PyTorch user can write a dump with resources/python/export_features.py. A folder of
          TensorBoard, W&B-export or MLflow logs imports as one run per run folder, its curves as metrics.
        </EmptyState>
      )}
      {preview && (
        <Card withBorder component="section" aria-label="Import preview">
          <Stack gap="xs">
            <Group justify="space-between">
              <Group gap="xs">
                <Badge>{preview.format}</Badge>
                <Text size="sm" ff="monospace">
                  {preview.source}
                </Text>
              </Group>
              <Button
                loading={start.isPending || startLogs.isPending}
                onClick={() =>
                  preview.runs.length ? startLogs.mutate(preview.runs) : start.mutate({ projectId: project.id, path: preview.source })
                }
              >
                Import {preview.runs.length > 1 ? `${preview.runs.length} runs ` : ''}into {project.name}
              </Button>
            </Group>
            {(start.error || startLogs.error) && (
              <Text c="red" size="sm" role="alert">
                {errorMessage(start.error ?? startLogs.error)}
              </Text>
            )}
            {preview.runs.length > 0 && <LogRunsPreview runs={preview.runs} />}
            {preview.files.length > 0 && (
              <Text size="sm">
                {preview.files.length} checkpoints, steps {preview.files.map((f) => f.step ?? '?').join(', ')}
              </Text>
            )}
            {Object.keys(preview.settings).length > 0 && (
              <Text size="sm" aria-label="Model settings">
                config.json:{' '}
                {Object.entries(preview.settings)
                  .map(([k, v]) => `${k} = ${v}`)
                  .join(' · ')}
              </Text>
            )}
            {fold!.modelScalars.length > 0 && (
              <Text size="sm" aria-label="Values in the file">
                {fold!.modelScalars.map(([k, v]) => `${k} = ${v}`).join(' · ')}
              </Text>
            )}
            {fold!.modelTensors.length > 0 && <TensorTable tensors={fold!.modelTensors} label="Tensors" />}
            {(fold!.optimizerTensors.length > 0 || fold!.optimizerScalars.length > 0) && (
              <Accordion variant="contained" chevronPosition="left" aria-label="Optimizer state">
                <Accordion.Item value="optimizer">
                  <Accordion.Control>
                    <Text size="sm">
                      Optimizer state: {fold!.optimizerTensors.length} buffers, {fold!.optimizerScalars.length} values
                      {fold!.headline ? ` (${fold!.headline})` : ''}
                    </Text>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Text size="xs" c="dimmed" mb={4}>
                      What torch saved to resume training; metrics read the model's tensors only.
                    </Text>
                    {fold!.optimizerScalars.length > 0 && (
                      <Text size="sm" ff="monospace" mb="xs">
                        {fold!.optimizerScalars.map(([k, v]) => `${k} = ${v}`).join(' · ')}
                      </Text>
                    )}
                    <TensorTable tensors={fold!.optimizerTensors} label="Optimizer tensors" />
                  </Accordion.Panel>
                </Accordion.Item>
              </Accordion>
            )}
            {preview.skipped.length > 0 && (
              <Text size="xs" c="dimmed">
                Left out (not data, never run): {preview.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}
              </Text>
            )}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
