/**
 * Human names of the training settings, for forms that show the dotted key beside them as a hint
 * ("Learning rate" over `optimizer.lr`). Isomorphic. A full path wins over its last segment; a key
 * without an entry is spelled out from its camelCase, so a setting added to the schema still reads.
 */
const BY_PATH: Record<string, string> = {
  'dataset.kind': 'Dataset',
  'model.kind': 'Architecture',
  'optimizer.kind': 'Optimizer',
  'schedule.kind': 'LR schedule',
  'dataset.p': 'Modulus p',
  'dataset.op': 'Operation',
  'dataset.dim': 'Input dimension',
  'dataset.classes': 'Classes',
  'model.layers': 'Layers',
  'model.hidden': 'Hidden widths',
  'model.width': 'Width',
  'checkpoints.everyEpochs': 'Checkpoint every N epochs',
  'checkpoints.everySteps': 'Checkpoint every N steps',
  'checkpoints.firstAndLast': 'Keep first and last',
  'checkpoints.perDecade': 'Checkpoints per decade',
};

const BY_KEY: Record<string, string> = {
  lr: 'Learning rate',
  weightDecay: 'Weight decay',
  momentum: 'Momentum',
  nesterov: 'Nesterov momentum',
  beta1: 'Adam β₁',
  beta2: 'Adam β₂',
  eps: 'Adam ε',
  batchSize: 'Batch size',
  epochs: 'Epochs',
  logEvery: 'Log every N steps',
  loss: 'Loss',
  activation: 'Activation',
  bias: 'Bias terms',
  causal: 'Causal attention',
  dModel: 'Model width (d_model)',
  equalsToken: 'Append "=" token',
  heads: 'Attention heads',
  initScale: 'Init scale',
  initStd: 'Init std',
  mlpWidth: 'MLP width',
  norm: 'Normalization',
  classBalanced: 'Class-balanced split',
  labelNoise: 'Label noise',
  normalize: 'Normalize inputs',
  separation: 'Class separation',
  testSize: 'Test examples',
  trainSize: 'Train examples',
  trainFraction: 'Train fraction',
  testFraction: 'Test fraction',
  warmupSteps: 'Warmup steps',
  gradClip: 'Gradient clip (norm)',
  stepSize: 'Step size',
  gamma: 'Decay factor γ',
  minFactor: 'Minimum LR factor',
  contextLength: 'Context length',
  teacherWidth: 'Teacher width',
  temperature: 'Temperature',
  dir: 'Folder',
  path: 'Path',
  interventions: 'Interventions',
};

/** "warmupSteps" -> "Warmup steps". */
const spell = (key: string) => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export function settingLabel(path: string): string {
  const key = path.split('.').at(-1) ?? path;
  return BY_PATH[path] ?? BY_KEY[key] ?? spell(key);
}
