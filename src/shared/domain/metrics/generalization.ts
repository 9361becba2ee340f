import { metric, type MetricDescriptor } from './descriptor';

const g = { family: 'generalization', needs: 'features', producer: 'closed-form', citation: 'standard' } as const;

/** Generalisation (METRICS.md): loss and accuracy per split and their gaps. */
export const GENERALIZATION_METRICS: readonly MetricDescriptor[] = [
  metric({
    ...g,
    key: 'train_loss',
    splits: ['train'],
    logScale: true,
    trainingLog: true,
    runView: 'loss',
    label: 'Train loss',
    description: 'Mean softmax cross-entropy on the training split.',
    formula: 'mean_i CE(z_i, y_i)',
  }),
  metric({
    ...g,
    key: 'test_loss',
    splits: ['test'],
    logScale: true,
    trainingLog: true,
    runView: 'loss',
    label: 'Test loss',
    description: 'Mean softmax cross-entropy on the test split.',
    formula: 'mean_i CE(z_i, y_i)',
  }),
  metric({
    ...g,
    key: 'train_acc',
    splits: ['train'],
    trainingLog: true,
    runView: 'accuracy',
    label: 'Train accuracy',
    description: 'Top-1 accuracy on the training split.',
    formula: 'mean_i [argmax_c z_ic = y_i]',
  }),
  metric({
    ...g,
    key: 'test_acc',
    splits: ['test'],
    trainingLog: true,
    runView: 'accuracy',
    label: 'Test accuracy',
    description: 'Top-1 accuracy on the test split.',
    formula: 'mean_i [argmax_c z_ic = y_i]',
  }),
  metric({
    ...g,
    key: 'perplexity',
    splits: ['train', 'test'],
    logScale: true,
    label: 'Perplexity',
    description: 'exp of the mean cross-entropy (nats) of the split: next-token perplexity when samples are token positions.',
    formula: 'exp(loss)',
  }),
  // can be negative: never a log axis
  metric({
    ...g,
    key: 'gap_loss',
    splits: ['none'],
    label: 'Loss gap',
    description: 'Test loss minus train loss.',
    formula: 'test_loss - train_loss',
  }),
  metric({
    ...g,
    key: 'gap_acc',
    splits: ['none'],
    label: 'Accuracy gap',
    description: 'Train accuracy minus test accuracy.',
    formula: 'train_acc - test_acc',
  }),
];
