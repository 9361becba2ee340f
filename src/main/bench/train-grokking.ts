import { BENCH_THREADS, type BenchCase } from './bench-case';
import { describeBackend, initBackend } from '../ml/backend';
import { GROKKING_MLP } from '../../shared/domain/presets';
import { train, type EpochLog } from '../ml/train';

/** First epoch at which a condition holds, or -1 (reported as "never"). */
function firstEpoch(logs: EpochLog[], ok: (l: EpochLog) => boolean): number {
  return logs.find(ok)?.epoch ?? -1;
}

/** Wall time of the grokking-mlp preset on wasm (seed 0, both splits evaluated every epoch). */
export const grokkingMlpBench: BenchCase = {
  name: 'grokking_mlp_1000_epochs',
  unit: 's',
  target: '< 50 s (PyTorch ~25 s); train acc >= 99% by epoch 150, test acc >= 95% by 600, >= 99% by 1000',
  async run(log) {
    const backend = await initBackend('wasm', { threads: BENCH_THREADS });
    log(`backend ${describeBackend(backend)}`);
    const logs: EpochLog[] = [];
    const started = performance.now();
    const summary = await train(
      { ...GROKKING_MLP, seed: 0, logEvery: 1, checkpoints: { firstAndLast: false } },
      {
        onEpoch(l) {
          logs.push(l);
          if (l.epoch % 100 === 0) log(`epoch ${l.epoch}: train acc ${l.train_acc.toFixed(3)}, test acc ${l.test_acc.toFixed(3)}`);
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const fmt = (e: number) => (e < 0 ? 'never' : e);
    return {
      value: seconds,
      extra: {
        status: summary.status,
        train_acc_99_epoch: fmt(firstEpoch(logs, (l) => l.train_acc >= 0.99)),
        test_acc_95_epoch: fmt(firstEpoch(logs, (l) => l.test_acc >= 0.95)),
        test_acc_99_epoch: fmt(firstEpoch(logs, (l) => l.test_acc >= 0.99)),
        test_acc_at_100: logs.find((l) => l.epoch === 100)?.test_acc ?? 'n/a',
        final_test_acc: summary.last?.test_acc ?? 'n/a',
      },
    };
  },
};

export default grokkingMlpBench;
