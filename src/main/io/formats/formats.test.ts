// Every built-in format against every sample: which sniffers say yes, and which format a file goes to.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../import-file';
import { encodeNpy } from '../npy';
import { encodeSafetensors } from '../safetensors';
import { importFormats } from '.';
import { probeFile } from './probe';

const TORCH = resolve(__dirname, '../../../../test/fixtures/import');
const dir = mkdtempSync(join(tmpdir(), 'plateau-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const w = new Float32Array([1, 2, 3, 4]);
const dump = {
  features: { shape: [2, 2], data: w },
  labels: { shape: [2], data: new Int32Array([0, 1]) },
  weight: { shape: [2, 2], data: w },
};
const npyDump = Object.fromEntries(Object.entries(dump).map(([k, v]) => [`${k}.npy`, encodeNpy(v.shape, v.data)]));

/** Samples under names that say nothing (`.dat`): only the bytes can tell. [file, what sniffs it, where it goes] */
const samples: [string, () => void, string[], string | null][] = [
  ['torch-zip.dat', () => copyFileSync(join(TORCH, 'mlp_state.pt'), join(dir, 'torch-zip.dat')), ['torch'], 'torch'],
  ['torch-legacy.dat', () => copyFileSync(join(TORCH, 'legacy.pt'), join(dir, 'torch-legacy.dat')), ['torch'], 'torch'],
  ['st.dat', () => writeFileSync(join(dir, 'st.dat'), encodeSafetensors({ a: { shape: [4], data: w } })), ['safetensors'], 'safetensors'],
  ['st-dump.dat', () => writeFileSync(join(dir, 'st-dump.dat'), encodeSafetensors(dump)), ['feature-dump', 'safetensors'], 'feature-dump'],
  ['npy.dat', () => writeFileSync(join(dir, 'npy.dat'), encodeNpy([4], w)), ['npy'], 'npy'],
  ['npz.dat', () => writeFileSync(join(dir, 'npz.dat'), zipSync({ 'a.npy': encodeNpy([4], w) })), ['npz'], 'npz'],
  ['npz-dump.dat', () => writeFileSync(join(dir, 'npz-dump.dat'), zipSync(npyDump)), ['feature-dump', 'npz'], 'feature-dump'],
  ['tfjs.dat', () => writeFileSync(join(dir, 'tfjs.dat'), JSON.stringify({ modelTopology: {}, weightsManifest: [] })), ['tfjs'], 'tfjs'],
  ['hf-config.dat', () => writeFileSync(join(dir, 'hf-config.dat'), JSON.stringify({ model_type: 'bert', vocab_size: 30522 })), [], null],
  ['text.dat', () => writeFileSync(join(dir, 'text.dat'), 'hello'), [], null],
];

describe('built-in import formats', () => {
  it.each(samples)('%s: sniffed by %j, read as %s', async (name, write, sniffedBy, goesTo) => {
    write();
    const probe = await probeFile(join(dir, name));
    const yes = [];
    for (const f of importFormats()) if (await f.sniff(probe)) yes.push(f.id);
    expect(yes).toEqual(sniffedBy);
    expect((await detectFormat(probe))?.id ?? null).toBe(goesTo);
  });

  it('falls back on the extension only when no magic matches, and never to a narrower kind', async () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    writeFileSync(join(dir, 'cut.npz'), 'not a zip at all');
    writeFileSync(join(dir, 'really-npy.safetensors'), encodeNpy([4], w));
    expect((await detectFormat(await probeFile(join(dir, 'config.json'))))?.id).toBe('tfjs'); // whose reader then refuses it, by name
    expect((await detectFormat(await probeFile(join(dir, 'cut.npz'))))?.id).toBe('npz');
    expect((await detectFormat(await probeFile(join(dir, 'really-npy.safetensors'))))?.id).toBe('npy');
  });
});
