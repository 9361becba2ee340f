import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricInfo } from '../../shared/domain/metrics';
import { loadMetricPlugin, loadPlugin, loadPluginsFromEnv, pluginPaths } from './plugins';

const dir = mkdtempSync(join(tmpdir(), 'plateau-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const descriptor = (key: string, extra = '') =>
  `export const descriptor = { key: '${key}', family: 'weights', label: 'L', description: 'D', formula: 'F', citation: 'C', needs: 'weights', splits: ['none']${extra} };`;

describe('metric plugins', () => {
  it('register the descriptor with defaults and hand the producer over, once per path', async () => {
    const p = file('a.mjs', `${descriptor('plug_a')}\nexport function produce() { return []; }`);
    const first = await loadPlugin(p);
    expect(await loadPlugin(p)).toBe(first);
    expect(await loadMetricPlugin(p)).toBe('plug_a');
    expect(first.metric?.descriptor.producer).toBe('plugin:plug_a');
    expect(typeof first.metric?.produce).toBe('function');
    expect(metricInfo('plug_a')).toMatchObject({ producer: 'plugin:plug_a', parts: 'model', logScale: false, run: 'default' });
    expect(pluginPaths()).toEqual([p]);
  });

  it('refuse a broken module with the file and the problem named', async () => {
    await expect(loadMetricPlugin(join(dir, 'missing.mjs'))).rejects.toThrow(/missing\.mjs could not be loaded/);
    await expect(loadMetricPlugin(file('b.mjs', 'export const x = 1;'))).rejects.toThrow(
      /b\.mjs exports none of descriptor\/produce, modelFamily, dataset, importFormat/,
    );
    await expect(loadMetricPlugin(file('c.mjs', descriptor('plug_c')))).rejects.toThrow(/c\.mjs exports no 'produce' function/);
    await expect(
      loadMetricPlugin(file('d.mjs', `${descriptor('plug_d', ", producer: 'hessian'")}\nexport const produce = () => [];`)),
    ).rejects.toThrow(/producer 'hessian' is a built-in one/);
    await expect(loadMetricPlugin(file('e.mjs', `${descriptor('kappa')}\nexport const produce = () => [];`))).rejects.toThrow(
      /'kappa' is already registered/,
    );
    await expect(
      loadMetricPlugin(file('f.mjs', `${descriptor('plug_f', ", splits: ['val']")}\nexport const produce = () => [];`)),
    ).rejects.toThrow(/f\.mjs: metric 'plug_f': splits must list some of train, test, none/);
    expect(['plug_c', 'plug_d', 'plug_f'].map((k) => metricInfo(k))).toEqual([undefined, undefined, undefined]);
  });

  it('load what PLATEAU_PLUGINS (or PLATEAU_METRIC_PLUGINS) names', async () => {
    const g = file('g.mjs', `${descriptor('plug_g')}\nexport const produce = () => [];`);
    const h = file('h.mjs', `${descriptor('plug_h')}\nexport const produce = () => [];`);
    const keys = async (env: NodeJS.ProcessEnv) => (await loadPluginsFromEnv(env)).map((p) => p.metric?.descriptor.key);
    expect(await keys({ PLATEAU_METRIC_PLUGINS: [g, '', h].join(delimiter) })).toEqual(['plug_g', 'plug_h']);
    expect(await keys({ PLATEAU_PLUGINS: g })).toEqual(['plug_g']); // the general name; loading is idempotent
    expect(await keys({})).toEqual([]);
  });
});
