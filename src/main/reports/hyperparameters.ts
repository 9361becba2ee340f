/**
 * The few settings that tell runs apart in a report table. Configs of imported runs may be partial
 * or foreign, so every field is read defensively and left out when absent.
 */
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const scalar = (v: unknown): string | number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v ? v : typeof v === 'boolean' ? String(v) : undefined;

function datasetLabel(d: Obj): string | undefined {
  const kind = scalar(d.kind);
  if (kind === undefined) return undefined;
  const parts: (string | undefined)[] = [String(kind)];
  if (kind === 'modular')
    parts.push(
      d.op !== undefined ? `${d.op} mod ${d.p}` : undefined,
      d.trainFraction !== undefined ? `train ${d.trainFraction}` : undefined,
    );
  else if (kind === 'gaussian-mixture') parts.push(`C=${d.classes} d=${d.dim}`);
  else if (kind === 'sparse-parity') parts.push(`n=${d.bits} k=${d.relevant}`);
  else if (d.trainSize !== undefined) parts.push(`train ${d.trainSize}`);
  return parts.filter(Boolean).join(' ');
}

function modelLabel(m: Obj): string | undefined {
  const kind = scalar(m.kind);
  if (kind === undefined) return undefined;
  if (kind === 'mlp' && Array.isArray(m.hidden)) return `mlp ${m.hidden.join('x')}${m.activation ? ` ${m.activation}` : ''}`;
  if (kind === 'quadratic-mlp' && m.width !== undefined) return `quadratic-mlp w=${m.width}`;
  return String(kind);
}

/** Ordered name -> value pairs; the order is the column order of the tables. */
export function keyHyperparameters(config: Record<string, unknown>): Record<string, string | number> {
  const d = obj(config.dataset);
  const o = obj(config.optimizer);
  const interventions = Array.isArray(config.interventions) ? config.interventions.map(obj) : [];
  const entries: [string, string | number | undefined][] = [
    ['dataset', datasetLabel(d)],
    ['label_noise', typeof d.labelNoise === 'number' && d.labelNoise > 0 ? d.labelNoise : undefined],
    ['model', modelLabel(obj(config.model))],
    ['optimizer', scalar(o.kind)],
    ['lr', scalar(o.lr)],
    ['weight_decay', scalar(o.weightDecay)],
    ['batch', scalar(config.batchSize)],
    ['epochs', scalar(config.epochs)],
    // a placement off the head is part of the recipe (the head is the default and stays unnamed)
    [
      'interventions',
      interventions.length
        ? interventions.map((t) => `${t.kind} ${t.lambda}${t.placement && t.placement !== 'head' ? ` @${t.placement}` : ''}`).join('; ')
        : undefined,
    ],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string | number] => e[1] !== undefined));
}
