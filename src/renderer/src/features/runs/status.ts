import type { RunStatus } from '../../../../shared/domain/types';

export const STATUS_COLOR: Record<RunStatus, string> = {
  queued: 'gray',
  running: 'blue',
  paused: 'yellow',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'gray',
  diverged: 'orange',
  interrupted: 'yellow',
  imported: 'violet',
};
