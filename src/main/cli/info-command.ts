import type { Command } from 'commander';
import { emit, type GlobalOptions } from './output';
import { withClient } from './session';

export function infoCommand(program: Command, globals: () => GlobalOptions): void {
  program.command('info').description('show version, data folder, schema and tfjs backends').action(() =>
    withClient(globals(), async (client) => {
      const i = await client.system.info({});
      emit(globals(), i, () => [
        `Plateau ${i.appVersion} (Node ${i.node}, ${i.platform}, ${i.cpus} cores)`,
        `data folder   ${i.dataDir}`,
        `schema        v${i.schemaVersion}`,
        `backends      installed: ${i.backends.available.join(', ') || 'none'}; jobs use: ${i.backends.chosen ?? 'none'}`,
      ].join('\n'));
    }));
}
