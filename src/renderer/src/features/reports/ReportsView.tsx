import { Anchor, Button, Card, Checkbox, Group, List, MultiSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Download, FileDown, FolderKanban, FolderOpen } from 'lucide-react';
import { useState } from 'react';
import { REPORT_FORMATS, type Project, type ReportFormat } from '../../../../shared/domain/types';
import { api, errorMessage } from '../../api/client';
import { useRuns, useSystemInfo } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { runLabel } from '../compare/compare-data';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;
/** The browser host's download route for a file under reports/ (each segment escaped, the slashes kept). */
const downloadUrl = (under: string) => `/reports/${under.split('/').map(encodeURIComponent).join('/')}`;

/** Export a comparison report (HTML with interactive charts, PDF, CSV, TeX, SVG, PNG) into a folder on the host. */
export function ReportsView({ project }: { project: Project | null }) {
  const runs = useRuns(project?.id ?? null);
  const info = useSystemInfo();
  const [picked, setPicked] = useState<string[]>([]);
  const [formats, setFormats] = useState<ReportFormat[]>(['html', 'pdf', 'csv']);
  const [outDir, setOutDir] = useState('');
  const exportReport = useMutation({ mutationFn: api.reports.export });
  const show = useMutation({ mutationFn: api.system.showInFolder });
  if (!project)
    return (
      <EmptyState icon={FolderKanban} title="Choose a project">
        Reports compare the runs of a project.
      </EmptyState>
    );
  // A bare name lands under the data folder's reports/; elsewhere only through the desktop's folder dialog.
  const dir = outDir || slug(project.name) || 'report';
  const desktop = info.data?.host === 'electron';
  const chooseFolder = async () => {
    const { path } = await api.system.pickPath({ kind: 'folder', purpose: 'report' });
    if (path) setOutDir(path);
  };
  return (
    <Stack>
      <Title order={2}>Reports · {project.name}</Title>
      <Card withBorder>
        <form
          aria-label="Export report"
          onSubmit={(e) => {
            e.preventDefault();
            exportReport.mutate({ ...(picked.length ? { runIds: picked.map(Number) } : { projectId: project.id }), outDir: dir, formats });
          }}
        >
          <Stack>
            <MultiSelect
              label="Runs"
              description="Leave empty for every run of the project"
              searchable
              clearable
              value={picked}
              onChange={setPicked}
              data={(runs.data ?? []).map((r) => ({ value: String(r.id), label: runLabel(r) }))}
            />
            <Checkbox.Group label="Formats" value={formats} onChange={(v) => setFormats(v as ReportFormat[])}>
              <Group mt={6}>
                {REPORT_FORMATS.map((f) => (
                  <Checkbox key={f} value={f} label={f.toUpperCase()} />
                ))}
              </Group>
            </Checkbox.Group>
            <Group align="flex-end" gap="xs">
              <TextInput
                style={{ flex: 1 }}
                label="Folder"
                value={dir}
                onChange={(e) => setOutDir(e.currentTarget.value)}
                description={
                  info.data
                    ? `A name is a folder under ${info.data.dataDir}/reports${desktop ? '; Choose folder… writes anywhere you pick' : ''}`
                    : undefined
                }
              />
              {desktop && (
                <Button variant="default" leftSection={<FolderOpen size={16} />} onClick={() => void chooseFolder()}>
                  Choose folder…
                </Button>
              )}
            </Group>
            <Group justify="flex-end">
              <Button
                type="submit"
                leftSection={<FileDown size={16} />}
                loading={exportReport.isPending}
                disabled={!formats.length || !dir}
              >
                Export report
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      {exportReport.error && (
        <Text c="red" role="alert">
          {errorMessage(exportReport.error)}
        </Text>
      )}
      {exportReport.data && (
        <Card withBorder component="section" aria-label="Report written">
          <Title order={4}>Written</Title>
          <List size="sm">
            {exportReport.data.files.map((f, i) => {
              const under = exportReport.data.downloads?.[i];
              return (
                <List.Item key={f}>
                  <Group gap="xs" wrap="nowrap">
                    <Text ff="monospace" size="sm" style={{ wordBreak: 'break-all' }}>
                      {f}
                    </Text>
                    {/* the browser host serves reports/ (token-gated); the desktop shows the file where it lies */}
                    {!desktop && under && (
                      <Anchor href={downloadUrl(under)} download size="sm" aria-label={`Download ${fileName(f)}`}>
                        <Group gap={4} wrap="nowrap">
                          <Download size={14} /> Download
                        </Group>
                      </Anchor>
                    )}
                    {desktop && (
                      <Button
                        size="compact-xs"
                        variant="default"
                        leftSection={<FolderOpen size={12} />}
                        onClick={() => show.mutate({ path: f })}
                      >
                        Show in folder
                      </Button>
                    )}
                  </Group>
                </List.Item>
              );
            })}
          </List>
          {show.error && (
            <Text c="red" size="sm" role="alert">
              {errorMessage(show.error)}
            </Text>
          )}
          {exportReport.data.skipped.map((s) => (
            <Text key={s.format} size="sm" c="dimmed">
              {s.format.toUpperCase()} skipped: {s.reason}
            </Text>
          ))}
          {exportReport.data.notes.map((n) => (
            <Text key={n} size="xs" c="dimmed">
              {n}
            </Text>
          ))}
        </Card>
      )}
    </Stack>
  );
}
