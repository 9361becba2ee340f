import { Badge, Code, Popover, Stack, Text } from '@mantine/core';
import { CircleHelp } from 'lucide-react';
import type { MetricKeyInfo } from '../../../shared/domain/metrics';

/** A metric's name that opens its definition, formula and citation (METRICS.md, via metrics.keys). */
export function MetricHelp({ info, label }: { info: MetricKeyInfo; label?: string }) {
  return (
    <Popover width={420} position="bottom-start" withArrow shadow="md">
      <Popover.Target>
        <Badge
          component="button"
          variant="light"
          rightSection={<CircleHelp size={12} />}
          style={{ cursor: 'pointer', textTransform: 'none' }}
          aria-label={`What is ${info.key}?`}
        >
          {label ?? info.key}
        </Badge>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={6}>
          <Text fw={600}>{info.label}</Text>
          <Text size="sm">{info.description}</Text>
          <Code block>{info.formula}</Code>
          <Text size="xs" c="dimmed">
            {info.citation}
          </Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
