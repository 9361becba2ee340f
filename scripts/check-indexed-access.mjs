// noUncheckedIndexedAccess where it pays: the code that handles requests, rows and files from outside
// (host, dispatch, services, database, jobs, workers, the contract). Numeric kernels (ml/, io/ parsers'
// typed-array loops) index by loop bounds; there the flag costs a `!` per access and finds nothing.
import { spawnSync } from 'node:child_process';

const CHECKED = /^(src\/main\/(http|rpc|services|db|app|electron|jobs|workers)|src\/shared\/(api|rpc|jobs)|src\/preload)\//;
const r = spawnSync(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json', '--noEmit', '--noUncheckedIndexedAccess', '--pretty', 'false'],
  { encoding: 'utf8' },
);
if (r.error || (r.status !== 0 && !r.stdout.includes(' error TS'))) {
  console.error(`tsc did not run: ${r.error?.message ?? r.stderr}`);
  process.exit(1);
}
const errors = r.stdout.split('\n').filter((l) => / error TS/.test(l) && CHECKED.test(l) && !/\.test\.ts\(/.test(l));
if (errors.length) {
  console.error(`${errors.length} unchecked index access(es) in request-handling code:\n${errors.join('\n')}`);
  process.exit(1);
}
console.log('noUncheckedIndexedAccess: request-handling code clean');
