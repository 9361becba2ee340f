import { Badge, Checkbox, Group, Progress, Table, Text, UnstyledButton } from '@mantine/core';
import {
  flexRender, getCoreRowModel, getExpandedRowModel, getFilteredRowModel, getGroupedRowModel, getSortedRowModel, useReactTable,
  type ColumnDef, type ExpandedState, type RowSelectionState, type SortingState,
} from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ChevronDown, ChevronRight } from 'lucide-react';
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { JobProgress } from '../../../../shared/api/contract';
import type { Run } from '../../../../shared/domain/types';
import { finalOf, flattenConfig, varyingKeys } from './run-columns';
import { STATUS_COLOR } from './status';

const liveOf = (table: { options: { meta?: unknown } }) => (table.options.meta as { live: Map<number, JobProgress> }).live;
const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');
const meanOf = (xs: unknown[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

export interface RunsTableProps {
  runs: Run[];
  live: Map<number, JobProgress>;
  /** Runs whose metrics job is queued (not yet reporting progress). */
  waitingMetrics: Set<number>;
  filter: string;
  groupBy: string | null;
  current: number | null;
  onOpen: (id: number) => void;
  selection: RowSelectionState;
  onSelection: (s: RowSelectionState) => void;
}

/** Every run of the project: sortable, filterable, groupable by a hyperparameter, multi-selectable, arrow keys move the focus. */
export function RunsTable({ runs, live, waitingMetrics, filter, groupBy, current, onOpen, selection, onSelection }: RunsTableProps) {
  const [sorting, setSorting] = useState<SortingState>([{ id: 'id', desc: true }]);
  const [expanded, setExpanded] = useState<ExpandedState>(true);
  // A stable array: a new one each render would make react-table regroup and reset expansion forever.
  const grouping = useMemo(() => (groupBy ? [groupBy] : []), [groupBy]);
  const hyper = useMemo(() => varyingKeys(runs), [runs]);
  const columns = useMemo<ColumnDef<Run>[]>(() => [
    {
      id: 'select', enableSorting: false, enableGrouping: false,
      header: ({ table }) => <Checkbox size="xs" aria-label="Select all runs" checked={table.getIsAllRowsSelected()} indeterminate={table.getIsSomeRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />,
      cell: ({ row }) => row.getCanSelect() && <Checkbox size="xs" aria-label={`Select run ${row.original.id}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} onClick={(e) => e.stopPropagation()} />,
    },
    { id: 'id', header: 'ID', accessorKey: 'id', aggregationFn: 'count', aggregatedCell: ({ getValue }) => `${getValue()} runs` },
    { id: 'name', header: 'Name', accessorKey: 'name', cell: ({ getValue }) => <Text fw={500} size="sm">{getValue<string>()}</Text> },
    {
      id: 'status', header: 'Status', accessorKey: 'status',
      cell: ({ row, table }) => {
        const p = liveOf(table).get(row.original.id);
        if (p) return <Progress value={p.fraction * 100} size="lg" aria-label={`Run ${row.original.id} progress`} />;
        const waiting = (table.options.meta as { waitingMetrics: Set<number> }).waitingMetrics.has(row.original.id);
        return (
          <Group gap={4} wrap="nowrap">
            <Badge color={STATUS_COLOR[row.original.status]} variant="light">{row.original.status}</Badge>
            {waiting && <Badge color="gray" variant="outline">metrics queued</Badge>}
          </Group>
        );
      },
    },
    { id: 'preset', header: 'Preset', accessorFn: (r) => r.preset ?? '—' },
    { id: 'seed', header: 'Seed', accessorFn: (r) => r.seed ?? '—', aggregationFn: 'uniqueCount', aggregatedCell: ({ getValue }) => `${getValue()} seeds` },
    // a long setting (a list of interventions) is cut to the column's width; the whole of it shows on hover
    ...hyper.map((k): ColumnDef<Run> => ({ id: `hp:${k}`, header: k, accessorFn: (r) => flattenConfig(r.config)[k] ?? '—',
      cell: ({ getValue }) => <Text size="sm" truncate="end" maw={260} title={String(getValue())}>{String(getValue())}</Text> })),
    { id: 'backend', header: 'Backend', accessorFn: (r) => r.backend ?? '—' },
    ...(['train_acc', 'test_acc'] as const).map((key): ColumnDef<Run> => ({
      id: key, header: key === 'train_acc' ? 'Train acc' : 'Test acc',
      accessorFn: (r) => finalOf(r, key),
      cell: ({ row, table, getValue }) => pct(liveOf(table).get(row.original.id)?.values?.[key] ?? getValue()),
      aggregationFn: (_id, rows) => meanOf(rows.map((r) => r.getValue(key))),
      aggregatedCell: ({ getValue }) => `mean ${pct(getValue())}`,
      sortUndefined: 'last',
    })),
    { id: 'tags', header: 'Tags', accessorFn: (r) => r.tags.join(' '), cell: ({ row }) => <Group gap={4}>{row.original.tags.map((t) => <Badge key={t} size="xs" variant="outline">{t}</Badge>)}</Group> },
  ], [hyper]);

  const table = useReactTable({
    data: runs,
    columns,
    // Live progress reaches cells through meta, so the columns (and the DOM) stay put while runs train.
    meta: { live, waitingMetrics },
    state: { sorting, globalFilter: filter, grouping, rowSelection: selection, expanded },
    getRowId: (r) => String(r.id),
    onSortingChange: setSorting,
    onExpandedChange: setExpanded,
    autoResetExpanded: false,
    onRowSelectionChange: (u) => onSelection(typeof u === 'function' ? u(selection) : u),
    globalFilterFn: (row, _col, value: string) => {
      const text = `${row.original.id} ${row.original.name} ${row.original.status} ${row.original.preset ?? ''} ${row.original.tags.join(' ')} ${JSON.stringify(flattenConfig(row.original.config))}`.toLowerCase();
      return value.toLowerCase().split(/\s+/).every((w) => text.includes(w));
    },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getGroupedRowModel: getGroupedRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
    enableRowSelection: (row) => !row.getIsGrouped(),
  });

  const rows = table.getRowModel().rows;
  const move = (e: KeyboardEvent<HTMLTableRowElement>, index: number) => {
    const next = e.key === 'ArrowDown' ? index + 1 : e.key === 'ArrowUp' ? index - 1 : -1;
    if (next >= 0 && next < rows.length) {
      e.preventDefault();
      (e.currentTarget.parentElement?.children[next] as HTMLElement | undefined)?.focus();
      if (!rows[next].getIsGrouped()) onOpen(rows[next].original.id);
    } else if (e.key === ' ' && !rows[index].getIsGrouped()) {
      e.preventDefault();
      rows[index].toggleSelected();
    }
  };

  return (
    <Table highlightOnHover verticalSpacing={6} aria-label="Runs" stickyHeader>
      <Table.Thead>
        {table.getHeaderGroups().map((hg) => (
          <Table.Tr key={hg.id}>
            {hg.headers.map((h) => (
              <Table.Th key={h.id} aria-sort={h.column.getIsSorted() === 'asc' ? 'ascending' : h.column.getIsSorted() === 'desc' ? 'descending' : undefined}>
                {h.column.getCanSort() ? (
                  <UnstyledButton onClick={h.column.getToggleSortingHandler()} fw={700} fz="sm">
                    <Group gap={2} wrap="nowrap">{flexRender(h.column.columnDef.header, h.getContext())}
                      {h.column.getIsSorted() === 'asc' ? <ArrowUp size={12} /> : h.column.getIsSorted() === 'desc' ? <ArrowDown size={12} /> : null}</Group>
                  </UnstyledButton>
                ) : flexRender(h.column.columnDef.header, h.getContext())}
              </Table.Th>
            ))}
          </Table.Tr>
        ))}
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row, i) => (
          <Table.Tr key={row.id} tabIndex={0} onKeyDown={(e) => move(e, i)} aria-selected={!row.getIsGrouped() && current === row.original.id}
            onClick={() => (row.getIsGrouped() ? row.toggleExpanded() : onOpen(row.original.id))} style={{ cursor: 'pointer' }}
            bg={!row.getIsGrouped() && current === row.original.id ? 'var(--mantine-primary-color-light)' : row.getIsGrouped() ? 'var(--mantine-color-default-hover)' : undefined}>
            {row.getVisibleCells().map((cell) => (
              <Table.Td key={cell.id}>
                {cell.getIsGrouped() ? (
                  <Group gap={4} wrap="nowrap">{row.getIsExpanded() ? <ChevronDown size={14} /> : <ChevronRight size={14} />}<Text size="sm" fw={600}>{String(cell.getValue())}</Text></Group>
                ) : cell.getIsAggregated() ? flexRender(cell.column.columnDef.aggregatedCell ?? cell.column.columnDef.cell, cell.getContext())
                  : cell.getIsPlaceholder() ? null : flexRender(cell.column.columnDef.cell, cell.getContext())}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
