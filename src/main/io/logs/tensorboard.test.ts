// TensorBoard event files written by an independent writer (test/fixtures/logs/make_log_fixtures.py: protobuf
// encoded by hand, CRC-32C from its definition) import with every value equal to what it wrote.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from './crc32c';
import { findLogRuns, readLogRuns } from './log-folder';
import { SeriesBuilder, sanitiseKey, type LogRun } from './log-run';

const FIXTURES = join(__dirname, '../../../../test/fixtures/logs');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, { tags: Record<string, [number, number][]>; settings: Record<string, unknown>; meta?: Record<string, unknown> }>
>;
const tmp = mkdtempSync(join(tmpdir(), 'plateau-tb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every tag's points, as [step, value] pairs, by tag. */
export const pointsOf = (run: LogRun) =>
  Object.fromEntries(run.series.map((s) => [s.tag, Array.from(s.steps, (step, i) => [step, s.values[i]])]));

describe('CRC-32C', () => {
  it('gives the check value of its definition (RFC 3720: "123456789" -> 0xE3069283) and of 32 zero bytes', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8); // crc of nothing is 0: the mask's constant alone
  });
});

describe('TensorBoard import', () => {
  it('finds one run per folder and reads every scalar and histogram statistic as written', async () => {
    const found = await findLogRuns(join(FIXTURES, 'tensorboard', 'runs'));
    expect(found.map((f) => [f.name, f.format.id])).toEqual([
      ['lr0.01', 'tensorboard'],
      ['lr0.1', 'tensorboard'],
    ]);
    const runs = await readLogRuns(found);
    for (const run of runs) {
      const want = expected.tensorboard[run.name].tags;
      const got = pointsOf(run);
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const [tag, pts] of Object.entries(want)) {
        expect(got[tag].map((p) => p[0])).toEqual(pts.map((p) => p[0]));
        // float32 scalars exactly; histogram mean/std from the raw data (the writer's route) to rounding
        got[tag].forEach(([, v], i) => (tag.startsWith('weights/') ? expect(v).toBeCloseTo(pts[i][1], 12) : expect(v).toBe(pts[i][1])));
      }
    }
  });

  it('keeps the later value of a step written again (a resumed run), and the tag beside a sanitised key', async () => {
    const [tf2, torch] = await readLogRuns(await findLogRuns(join(FIXTURES, 'tensorboard', 'runs')));
    const loss = torch.series.find((s) => s.tag === 'train/loss')!;
    expect(loss.key).toBe('train/loss');
    expect(Array.from(loss.steps).slice(44, 47)).toEqual([44, 45, 46]);
    expect(loss.values[45]).toBe(expected.tensorboard['lr0.1'].tags['train/loss'][45][1]);
    expect(tf2.series.find((s) => s.tag === 'val loss (ema)')?.key).toBe('val_loss_ema');
    expect(tf2.skipped).toContainEqual({ name: 'val loss (ema)', reason: '1 NaN or infinite value(s) left out' });
    expect(torch.skipped.map((s) => s.name)).toContain('(events without a summary)');
  });

  const copyRun = (name: string) => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    const file = 'events.out.tfevents.1700000000.host.101.0';
    copyFileSync(join(FIXTURES, 'tensorboard', 'runs', 'lr0.1', file), join(dir, file));
    return { dir, path: join(dir, file), bytes: readFileSync(join(dir, file)) };
  };

  it('refuses a truncated file, naming the file, the record and its offset', async () => {
    const { dir, path, bytes } = copyRun('truncated');
    writeFileSync(path, bytes.subarray(0, bytes.length - 7));
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(
      new RegExp(`${path.replace(/[.]/g, '\\.')}: record \\d+ \\(byte \\d+\\): the file ends inside the record .*truncated`),
    );
    writeFileSync(path, bytes.subarray(0, bytes.length - 3)); // ...and inside the last data CRC
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(/truncated/);
  });

  it('refuses a flipped byte in the data (data CRC) and in a length (length CRC), naming record 3 at its offset', async () => {
    const { dir, path, bytes } = copyRun('flipped');
    // Records 0..2: file_version, graph, first scalars; find record 3's offset by walking the lengths.
    let at = 0;
    for (let i = 0; i < 3; i++) at += 12 + Number(bytes.readBigUInt64LE(at)) + 4;
    const data = Buffer.from(bytes);
    data[at + 12 + 2] ^= 0x01;
    writeFileSync(path, data);
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(`${path}: record 3 (byte ${at}): the data CRC does not match`);
    const len = Buffer.from(bytes);
    len[at] ^= 0x40;
    writeFileSync(path, len);
    await expect(readLogRuns(await findLogRuns(dir))).rejects.toThrow(`${path}: record 3 (byte ${at}): the length CRC does not match`);
  });
});

describe('tags as metric keys', () => {
  it('keeps letters, digits and _ . - /, turns other runs into one _, and numbers a clash', () => {
    expect(sanitiseKey('train/loss')).toBe('train/loss');
    expect(sanitiseKey('Loss (val, ema)')).toBe('Loss_val_ema');
    expect(sanitiseKey('/a//b/')).toBe('a//b');
    expect(sanitiseKey('%%%')).toBe('value');
    const b = new SeriesBuilder();
    b.add('a b', 1, 1);
    b.add('a_b', 1, 2);
    b.add('a b', 0, 3);
    b.add('a b', 1, 4); // step 1 again, later: replaces 1
    const { series } = b.finish();
    expect(series.map((s) => [s.key, s.tag, Array.from(s.steps), Array.from(s.values)])).toEqual([
      ['a_b', 'a b', [0, 1], [3, 4]],
      ['a_b_2', 'a_b', [1], [2]],
    ]);
  });
});
