import type { ServiceApi } from '../../shared/api/contract';
import { readCheckpoint } from '../io/checkpoint-file';
import { diffTensors, summarize } from '../io/tensor-summary';
import type { AppContext } from '../app/context';

export function checkpointsService(ctx: AppContext): ServiceApi['checkpoints'] {
  const load = async (id: number) => {
    const checkpoint = ctx.repos.checkpoints.get(id);
    return { checkpoint, content: await readCheckpoint(checkpoint.file) };
  };
  return {
    inspect: async ({ id }) => {
      const { checkpoint, content } = await load(id);
      return {
        checkpoint,
        layers: Object.entries(content.weights).map(([name, t]) => summarize(name, t)),
        optimizerTensors: Object.keys(content.optimizer?.slots ?? {}).length,
      };
    },
    diff: async ({ a, b }) => {
      const [x, y] = await Promise.all([load(a), load(b)]);
      return diffTensors(x.content.weights, y.content.weights);
    },
  };
}
