import { Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Run } from '../../../../shared/domain/types';
import { api, errorMessage } from '../../api/client';
import { refreshRuns } from '../../api/queries';

/** The researcher's notes on a run: saved when the box loses focus, or on Ctrl+Enter. */
export function RunNotes({ run }: { run: Run }) {
  const [text, setText] = useState(run.notes);
  useEffect(() => setText(run.notes), [run.id, run.notes]);
  const save = useMutation({ mutationFn: api.runs.note, onSuccess: refreshRuns });
  const commit = () => {
    if (text !== run.notes) save.mutate({ id: run.id, notes: text });
  };
  return (
    <Textarea
      label="Notes"
      description={save.isPending ? 'Saving…' : 'What was tried, what to check. Saved when you leave the box (Ctrl+Enter).'}
      placeholder="e.g. lr 3e-3 diverges after the warmup; compare with seed 1"
      autosize
      minRows={2}
      maxRows={8}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) commit();
      }}
      error={save.error ? errorMessage(save.error) : undefined}
    />
  );
}
