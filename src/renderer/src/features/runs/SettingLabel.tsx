import { Text } from '@mantine/core';
import { settingLabel } from '../../../../shared/domain/setting-labels';

/** Titles of the new-run form's groups of settings. */
export const GROUP_TITLE: Record<string, string> = {
  dataset: 'Dataset',
  model: 'Model',
  optimizer: 'Optimizer',
  schedule: 'Learning-rate schedule',
  checkpoints: 'Checkpoints',
  interventions: 'Interventions',
  training: 'Training',
};

/**
 * A setting's human name, with its key (what --set and the CLI take) under it in small grey type. Every
 * label has the same two lines, so the inputs of a row line up; the key stays part of the accessible name.
 */
export function SettingLabel({ path }: { path: string }) {
  return (
    <>
      {settingLabel(path)}{' '}
      <Text span display="block" size="xs" c="dimmed" ff="monospace" fw={400}>
        {path}
      </Text>
    </>
  );
}
