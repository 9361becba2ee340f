import type { FirstPass } from './feature-scan';
import { put, type MetricBag } from './types';

/** Loss and accuracy of the training split and, when given, the test split, plus their gaps. */
export function generalizationFromPasses(train: FirstPass, test: FirstPass | null, wanted: ReadonlySet<string>): MetricBag {
  const bag: MetricBag = { values: {}, omitted: {} };
  const trainLoss = train.lossSum / train.n;
  const trainAcc = train.correct / train.n;
  if (wanted.has('train_loss')) put(bag, 'train_loss', trainLoss);
  if (wanted.has('train_acc')) put(bag, 'train_acc', trainAcc);
  const noTest = 'the dump has no test split (test_features, test_labels)';
  const testLoss = test ? test.lossSum / test.n : noTest;
  const testAcc = test ? test.correct / test.n : noTest;
  if (wanted.has('test_loss')) put(bag, 'test_loss', testLoss);
  if (wanted.has('test_acc')) put(bag, 'test_acc', testAcc);
  if (wanted.has('gap_loss')) put(bag, 'gap_loss', typeof testLoss === 'number' ? testLoss - trainLoss : noTest);
  if (wanted.has('gap_acc')) put(bag, 'gap_acc', typeof testAcc === 'number' ? trainAcc - testAcc : noTest);
  return bag;
}
