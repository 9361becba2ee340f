import { Alert } from '@mantine/core';
import { CircleAlert } from 'lucide-react';
import { errorMessage } from '../api/client';

/** An error in plain words, next to what caused it. */
export function ErrorText({ error, title = 'That did not work' }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert role="alert" color="red" variant="light" icon={<CircleAlert size={18} />} title={title}>
      {errorMessage(error)}
    </Alert>
  );
}
