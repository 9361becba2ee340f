import * as tf from '@tensorflow/tfjs';
import { hessianInput } from '../data/tensors';
import { hessianMetricRows } from '../hessian/hessian-rows';
import { featureMetricRows, weightMetricRows } from './model-metrics';
import { registerProducer } from './producers';

/*
 * The built-in producers, by the ids the descriptors in shared/domain/metrics name. Importing this
 * module registers them (once per worker).
 */
registerProducer('closed-form', ({ model, train, test, sets, at, options }, keys) =>
  featureMetricRows(model, train, test, at, keys, { collapseTopK: options.collapse_top_k }, sets),
);
registerProducer('weights-only', ({ model, at, init }, keys) => weightMetricRows(model, at, init, keys));
registerProducer('hessian', ({ model, train, at, options }, keys) => {
  const input = hessianInput(train);
  try {
    return hessianMetricRows(model, input, at, keys, options);
  } finally {
    tf.dispose(input.owned);
  }
});
