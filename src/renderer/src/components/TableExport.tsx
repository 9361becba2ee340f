import { Button, Group } from '@mantine/core';
import { Copy, Download } from 'lucide-react';
import { useState } from 'react';
import { downloadCsv, toCsv } from '../charts/export';

/** Copy a table as CSV (pastes into a spreadsheet) or save it as a .csv file. */
export function TableExport({ name, table }: { name: string; table: () => { header: string[]; rows: unknown[][] } }) {
  const [copied, setCopied] = useState(false);
  return (
    <Group gap={4}>
      <Button
        size="compact-xs"
        variant="subtle"
        leftSection={<Copy size={12} />}
        aria-label={`Copy ${name} as CSV`}
        onClick={async () => {
          const { header, rows } = table();
          await navigator.clipboard.writeText(toCsv(header, rows));
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
      <Button
        size="compact-xs"
        variant="subtle"
        leftSection={<Download size={12} />}
        aria-label={`Save ${name} as CSV`}
        onClick={() => {
          const { header, rows } = table();
          downloadCsv(name, header, rows);
        }}
      >
        CSV
      </Button>
    </Group>
  );
}
