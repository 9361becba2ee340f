import type * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '../../../shared/domain/train-config';
import { adam } from './adam';
import type { Optimizer } from './optimizer';
import { sgd } from './sgd';

export function makeOptimizer(config: OptimizerConfig, params: Record<string, tf.Variable>): Optimizer {
  switch (config.kind) {
    case 'sgd':
      return sgd(params, config);
    case 'adam':
      return adam(params, { ...config, decoupled: false });
    case 'adamw':
      return adam(params, { ...config, decoupled: true });
  }
}
