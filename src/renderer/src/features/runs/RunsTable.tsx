import { Badge, Checkbox, Group, Progress, Table, Text, UnstyledButton } from '@mantine/core';
import {
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getFilteredRowModel,
  getGroupedRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ExpandedState,
  type RowSelectionState,
  type SortingState,
} from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ChevronDown, ChevronRight } from 'lucide-react';
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { JobProgress } from '../../../../shared/api/contract';
import type { Run } from '../../../../shared/domain/types';
import { type ColumnInfo, FINAL_COLUMNS, type FinalColumn } from './column-visibility';
import { finalColumnValue, flattenConfig } from './run-columns';
import { STATUS_COLOR } from './status';
import { sig } from '../../charts/format';

interface Meta {
  live: Map<number, JobProgress>;
  waitingMetrics: Set<number>;
  measured: Record<'kappa' | 'nc1', Map<number, number>>;
}
const metaOf = (table: { options: { meta?: unknown } }) => table.options.meta as Meta;
const liveOf = (table: { options: { meta?: unknown } }) => metaOf(table).live;
const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');
const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? sig(x) : '—');
// a Badge's label is an ellipsis box that a squeezed table column shrinks to 'SU…': keep the whole word
const WHOLE = { root: { minWidth: 'max-content' }, label: { overflow: 'visible' } };
const ACCURACY = new Set<FinalColumn>(['train_acc', 'test_acc', 'gap_acc']);

const finalValue = (run: Run, id: FinalColumn, meta: Meta) => finalColumnValue(run, id, meta.measured, meta.live.get(run.id)?.values);
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
  /** The columns there are (see columnCatalog) and which of them show. */
  catalog: ColumnInfo[];
  visibility: Record<string, boolean>;
  /** Last checkpoint values of kappa and nc1 per run, for their columns. */
  measured: Meta['measured'];
  current: number | null;
  onOpen: (id: number) => void;
  selection: RowSelectionState;
  onSelection: (s: RowSelectionState) => void;
}

/** Every run of the project: sortable, filterable, groupable by a hyperparameter, multi-selectable, arrow keys move the focus. */
export function RunsTable(props: RunsTableProps) {
  const { runs, live, waitingMetrics, filter, groupBy, catalog, visibility, measured, current, onOpen, selection, onSelection } = props;
  const [sorting, setSorting] = useState<SortingState>([{ id: 'id', desc: true }]);
  const [expanded, setExpanded] = useState<ExpandedState>(true);
  // A stable array: a new one each render would make react-table regroup and reset expansion forever.
  const grouping = useMemo(() => (groupBy ? [groupBy] : []), [groupBy]);
  const hyper = useMemo(() => catalog.filter((c) => c.group === 'config').map((c) => c.label), [catalog]);
  const columns = useMemo<ColumnDef<Run>[]>(
    () => [
      {
        id: 'select',
        enableSorting: false,
        enableGrouping: false,
        header: ({ table }) => (
          <Checkbox
            size="xs"
            aria-label="Select all runs"
            checked={table.getIsAllRowsSelected()}
            indeterminate={table.getIsSomeRowsSelected()}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) =>
          row.getCanSelect() && (
            <Checkbox
              size="xs"
              aria-label={`Select run ${row.original.id}`}
              checked={row.getIsSelected()}
              onChange={row.getToggleSelectedHandler()}
              onClick={(e) => e.stopPropagation()}
            />
          ),
      },
      { id: 'id', header: 'ID', accessorKey: 'id', aggregationFn: 'count', aggregatedCell: ({ getValue }) => `${getValue()} runs` },
      {
        id: 'name',
        header: 'Name',
        accessorKey: 'name',
        cell: ({ getValue }) => (
          <Text fw={500} size="sm" truncate="end" maw={320} miw={120} title={getValue<string>()}>
            {getValue<string>()}
          </Text>
        ),
      },
      {
        id: 'status',
        header: 'Status',
        accessorKey: 'status',
        cell: ({ row, table }) => {
          const p = liveOf(table).get(row.original.id);
          if (p) return <Progress value={p.fraction * 100} size="lg" aria-label={`Run ${row.original.id} progress`} />;
          const waiting = metaOf(table).waitingMetrics.has(row.original.id);
          // badges never shrink: a squeezed table scrolls sideways instead of cutting 'queued' to 'Q…'
          return (
            <Group gap={4} wrap="nowrap">
              <Badge color={STATUS_COLOR[row.original.status]} variant="light" styles={WHOLE}>
                {row.original.status}
              </Badge>
              {waiting && (
                <Badge color="gray" variant="outline" styles={WHOLE}>
                  metrics queued
                </Badge>
              )}
            </Group>
          );
        },
      },
      { id: 'preset', header: 'Preset', accessorFn: (r) => r.preset ?? '—' },
      {
        id: 'seed',
        header: 'Seed',
        accessorFn: (r) => r.seed ?? '—',
        aggregationFn: 'uniqueCount',
        aggregatedCell: ({ getValue }) => `${getValue()} seeds`,
      },
      // a long setting (a list of interventions) is cut to the column's width; the whole of it shows on hover
      ...hyper.map((k): ColumnDef<Run> => ({
        id: `hp:${k}`,
        header: k,
        accessorFn: (r) => flattenConfig(r.config)[k] ?? '—',
        cell: ({ getValue }) => (
          <Text size="sm" truncate="end" maw={260} title={String(getValue())}>
            {String(getValue())}
          </Text>
        ),
      })),
      { id: 'backend', header: 'Backend', accessorFn: (r) => r.backend ?? '—' },
      ...FINAL_COLUMNS.map(({ id, label }): ColumnDef<Run> => ({
        id,
        header: label.replace(/ \(.*\)$/, ''),
        accessorFn: (r) => finalValue(r, id, { live: new Map(), waitingMetrics: new Set(), measured }),
        cell: ({ row, table }) => (ACCURACY.has(id) ? pct : num)(finalValue(row.original, id, metaOf(table))),
        aggregationFn: (_id, rows) => meanOf(rows.map((r) => r.getValue(id))),
        aggregatedCell: ({ getValue }) => `mean ${(ACCURACY.has(id) ? pct : num)(getValue())}`,
        sortUndefined: 'last',
      })),
      {
        id: 'tags',
        header: 'Tags',
        accessorFn: (r) => r.tags.join(' '),
        cell: ({ row }) => (
          <Group gap={4}>
            {row.original.tags.map((t) => (
              <Badge key={t} size="xs" variant="outline">
                {t}
              </Badge>
            ))}
          </Group>
        ),
      },
    ],
    [hyper, measured],
  );

  const table = useReactTable({
    data: runs,
    columns,
    // Live progress reaches cells through meta, so the columns (and the DOM) stay put while runs train.
    meta: { live, waitingMetrics, measured } satisfies Meta,
    // a grouped-by column shows even when hidden: its cells name the groups
    state: {
      sorting,
      globalFilter: filter,
      grouping,
      rowSelection: selection,
      expanded,
      columnVisibility: groupBy ? { ...visibility, [groupBy]: true } : visibility,
    },
    getRowId: (r) => String(r.id),
    onSortingChange: setSorting,
    onExpandedChange: setExpanded,
    autoResetExpanded: false,
    onRowSelectionChange: (u) => onSelection(typeof u === 'function' ? u(selection) : u),
    globalFilterFn: (row, _col, value: string) => {
      const text =
        `${row.original.id} ${row.original.name} ${row.original.status} ${row.original.preset ?? ''} ${row.original.tags.join(' ')} ${JSON.stringify(flattenConfig(row.original.config))}`.toLowerCase();
      return value
        .toLowerCase()
        .split(/\s+/)
        .every((w) => text.includes(w));
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
    <Table.ScrollContainer minWidth={900} type="native">
      <Table highlightOnHover verticalSpacing={6} aria-label="Runs" stickyHeader style={{ whiteSpace: 'nowrap' }}>
        <Table.Thead>
          {table.getHeaderGroups().map((hg) => (
            <Table.Tr key={hg.id}>
              {hg.headers.map((h) => (
                <Table.Th
                  key={h.id}
                  aria-sort={h.column.getIsSorted() === 'asc' ? 'ascending' : h.column.getIsSorted() === 'desc' ? 'descending' : undefined}
                >
                  {h.column.getCanSort() ? (
                    <UnstyledButton onClick={h.column.getToggleSortingHandler()} fw={700} fz="sm">
                      <Group gap={2} wrap="nowrap">
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        {h.column.getIsSorted() === 'asc' ? (
                          <ArrowUp size={12} />
                        ) : h.column.getIsSorted() === 'desc' ? (
                          <ArrowDown size={12} />
                        ) : null}
                      </Group>
                    </UnstyledButton>
                  ) : (
                    flexRender(h.column.columnDef.header, h.getContext())
                  )}
                </Table.Th>
              ))}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, i) => (
            <Table.Tr
              key={row.id}
              tabIndex={0}
              onKeyDown={(e) => move(e, i)}
              aria-selected={!row.getIsGrouped() && current === row.original.id}
              onClick={() => (row.getIsGrouped() ? row.toggleExpanded() : onOpen(row.original.id))}
              style={{ cursor: 'pointer' }}
              bg={
                !row.getIsGrouped() && current === row.original.id
                  ? 'var(--mantine-primary-color-light)'
                  : row.getIsGrouped()
                    ? 'var(--mantine-color-default-hover)'
                    : undefined
              }
            >
              {row.getVisibleCells().map((cell) => (
                <Table.Td key={cell.id}>
                  {cell.getIsGrouped() ? (
                    <Group gap={4} wrap="nowrap">
                      {row.getIsExpanded() ? <ChevronDown size={14} /> : <ChevronRight size={14} />}
                      <Text size="sm" fw={600}>
                        {String(cell.getValue())}
                      </Text>
                    </Group>
                  ) : cell.getIsAggregated() ? (
                    flexRender(cell.column.columnDef.aggregatedCell ?? cell.column.columnDef.cell, cell.getContext())
                  ) : cell.getIsPlaceholder() ? null : (
                    flexRender(cell.column.columnDef.cell, cell.getContext())
                  )}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
