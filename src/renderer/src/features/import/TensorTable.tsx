import { Table, Text } from '@mantine/core';
import type { ImportPreview } from '../../../../shared/domain/types';

/** The tensors of a preview: name, shape, dtype (the first 200; the rest counted). */
export function TensorTable({ tensors, label }: { tensors: ImportPreview['tensors']; label: string }) {
  if (!tensors.length) return null;
  return (
    <>
      <Table verticalSpacing={2} aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tensor</Table.Th>
            <Table.Th>Shape</Table.Th>
            <Table.Th>dtype</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tensors.slice(0, 200).map((t) => (
            <Table.Tr key={t.name}>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {t.name}
                </Text>
              </Table.Td>
              <Table.Td>{t.shape.join(' × ') || 'scalar'}</Table.Td>
              <Table.Td>{t.dtype}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {tensors.length > 200 && (
        <Text size="xs" c="dimmed">
          … and {tensors.length - 200} more tensors
        </Text>
      )}
    </>
  );
}
