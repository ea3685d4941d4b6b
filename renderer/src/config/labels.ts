/** What researchers call the config's fields, where the key alone does not say it. */
const LABELS: Readonly<Record<string, string>> = {
  name: 'Experiment name',
  arch: 'Architecture',
  dataset: 'Dataset',
  methods: 'Methods',
  seeds: 'Seeds',
  rewind: 'Rewind point',
  resetBatchNormOnRewind: 'Reset batch-norm on rewind',
  evaluationDataset: 'Evaluation dataset (transfer)',
  data: 'Data',
  'data.validationFraction': 'Validation fraction',
  'data.trainLimit': 'Training images (limit)',
  'data.testLimit': 'Test images (limit)',
  'data.augment': 'Augmentation',
  training: 'Training',
  'training.duration': 'Training per round',
  'training.batchSize': 'Batch size',
  'training.optimizer': 'Optimizer',
  'training.optimizer.type': 'Optimizer',
  'training.optimizer.lr': 'Learning rate',
  'training.optimizer.weightDecay': 'Weight decay',
  'training.optimizer.beta1': 'Adam β1',
  'training.optimizer.beta2': 'Adam β2',
  'training.optimizer.epsilon': 'Adam ε',
  'training.warmupEpochs': 'Warm-up epochs',
  'training.milestones': 'LR milestones (epochs)',
  'training.gamma': 'LR decay factor (γ)',
  'training.evalEvery': 'Evaluate every',
  'training.selection': 'Reported evaluation point',
  pruning: 'Pruning',
  'pruning.strategy': 'Pruning strategy',
  'pruning.layers': 'Prunable weights',
  'pruning.rate': 'Pruning rate per round',
  'pruning.convRate': 'Conv rate',
  'pruning.denseRate': 'Dense rate',
  'pruning.headRate': 'Output layer rate',
  'pruning.pruneFrom': 'Prune from',
  imp: 'IMP',
  'imp.rate': 'IMP rate',
  colt: 'COLT',
  'colt.partitions': 'Partitions',
  'colt.partitioning': 'Partitioning',
  'colt.rate': 'COLT rate (per model)',
  'colt.evaluate': 'Ticket evaluation',
  stop: 'Stopping',
  'stop.maxRounds': 'Pruning rounds (after round 0)',
  'stop.targetSparsity': 'Target sparsity',
  'stop.sparsityOver': 'Sparsity counted over',
};

/** "weightDecay" → "Weight decay", "lr" → "Lr". */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of a config path ("training.batchSize" → "Batch size"); fields the table does not name are humanized from their key. */
export function fieldLabel(path: string): string {
  return LABELS[path] ?? LABELS[path.replace(/\.\d+$/, '')] ?? humanize(path.split('.').pop() ?? path);
}
