import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../shared/api/errors';
import { testApp } from '../test/test-app';
import { findChromium } from './chromium';
import { collectReportData, type ReportData } from './report-data';
import { seedReportFixture } from './report-fixture';
import { parseFormats, writeReport } from './write-report';

let t: ReturnType<typeof testApp>;
let data: ReportData;
let out: string;
beforeAll(() => {
  t = testApp();
  data = collectReportData(t.app.ctx, { projectId: seedReportFixture(t.app).project.id });
  out = mkdtempSync(join(tmpdir(), 'plateau-report-'));
});
afterAll(async () => {
  await t.dispose();
  rmSync(out, { recursive: true, force: true });
});

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const hasPdftoppm = (() => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Binary PGM (P5, 8 bit, as pdftoppm -gray writes it) -> width, height and the grey bytes. */
function readPgm(buf: Buffer): { width: number; height: number; pixels: Buffer } {
  const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!m || Number(m[3]) > 255) throw new Error('not an 8-bit binary PGM');
  const width = Number(m[1]);
  const height = Number(m[2]);
  return { width, height, pixels: buf.subarray(m[0].length, m[0].length + width * height) };
}

/** Each page of a PDF rendered in grey at 30 dpi: the fraction of pixels darker than near-white. */
function pdfPageInk(pdf: string): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-pdftoppm-'));
  try {
    execFileSync('pdftoppm', ['-gray', '-r', '30', pdf, join(dir, 'page')]);
    return readdirSync(dir)
      .sort()
      .map((f) => {
        const { width, height, pixels } = readPgm(readFileSync(join(dir, f)));
        expect(pixels.length).toBe(width * height);
        let ink = 0;
        for (const p of pixels) if (p < 240) ink++;
        return ink / pixels.length;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('writeReport', () => {
  it('writes HTML, CSV, TeX and SVG files atomically and lists them', async () => {
    const dir = join(out, 'plain');
    const r = await writeReport(data, { outDir: dir, formats: ['html', 'csv', 'tex', 'svg'] });
    const names = r.files.map((f) => f.slice(dir.length + 1));
    expect(names).toEqual([
      'report.html',
      'runs.csv',
      'metrics.csv',
      'groups.csv',
      'groups.tex',
      'final-metrics.tex',
      'figure-1.svg',
      'loss.svg',
      'accuracy.svg',
      'kappa-vs-gap.svg',
      'manifest.json',
    ]);
    expect(readdirSync(dir).sort()).toEqual([...names].sort()); // no temp files left behind
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(r.skipped).toEqual([]);
  });

  it('hands the HTML to an injected PDF printer and keeps only what was asked for', async () => {
    const dir = join(out, 'injected');
    const calls: string[] = [];
    const r = await writeReport(data, {
      outDir: dir,
      formats: ['pdf'],
      pdf: async (html, pdf) => {
        calls.push(readFileSync(html, 'utf8').slice(0, 15));
        writeFileSync(pdf, '%PDF-1.7 fake');
      },
    });
    expect(calls).toEqual(['<!doctype html>']);
    expect(r.files).toEqual([join(dir, 'report.pdf'), join(dir, 'manifest.json')]);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'report.pdf']);
  });

  it('refuses unknown formats and leaves nothing behind when the printer fails', async () => {
    expect(() => parseFormats('html,docx')).toThrow(/Unknown report format\(s\) docx/);
    expect(parseFormats(' HTML, csv,html ')).toEqual(['html', 'csv']);
    const dir = join(out, 'failing');
    await expect(
      writeReport(data, {
        outDir: dir,
        formats: ['pdf'],
        pdf: async () => {
          throw new Error('printer jammed');
        },
      }),
    ).rejects.toThrow('printer jammed');
    expect(readdirSync(dir)).toEqual([]); // not even a manifest: it is written only after everything else
  });

  it("clears the temp files a killed report left in its folder, and nothing of the user's", async () => {
    const dir = join(out, 'killed');
    mkdirSync(dir);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid names a writer that is gone
    const stale = `report.plateau-tmp-${dead}-0badc0de.pdf`;
    const mine = ['report.tmp-1-0badc0de.pdf', 'notes.plateau-tmp.pdf', `report.plateau-tmp-${process.ppid}-0badc0de.pdf`];
    for (const f of [stale, ...mine]) writeFileSync(join(dir, f), 'x');
    await writeReport(data, { outDir: dir, formats: ['csv'] });
    const left = readdirSync(dir);
    expect(left).not.toContain(stale);
    for (const f of mine) expect(left).toContain(f); // another name, or a writer still alive
  });

  it('says where PLATEAU_CHROMIUM points when that browser does not exist', async () => {
    const saved = process.env.PLATEAU_CHROMIUM;
    process.env.PLATEAU_CHROMIUM = '/nonexistent/chromium';
    try {
      const err = await writeReport(data, { outDir: join(out, 'nobrowser'), formats: ['pdf'] }).catch((e) => e);
      expect(err).toBeInstanceOf(PlateauError);
      expect(err.message).toMatch(/PLATEAU_CHROMIUM is set to \/nonexistent\/chromium/);
    } finally {
      if (saved === undefined) delete process.env.PLATEAU_CHROMIUM;
      else process.env.PLATEAU_CHROMIUM = saved;
    }
  });

  it.skipIf(!findChromium())('prints a PDF and PNG figures with headless Chromium', async () => {
    const dir = join(out, 'chromium');
    const r = await writeReport(data, { outDir: dir, formats: ['pdf', 'png'] });
    expect(r.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'report.pdf',
      'figure-1.png',
      'loss.png',
      'accuracy.png',
      'kappa-vs-gap.png',
      'manifest.json',
    ]);
    const pdf = readFileSync(join(dir, 'report.pdf'));
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    if (hasPdftotext) {
      expect(execFileSync('pdftotext', [join(dir, 'report.pdf'), '-'], { encoding: 'utf8' })).toContain(data.title);
    } else {
      // Page text is compressed glyph ids without pdftotext; the document title (from <title>) is plain in the info dictionary.
      console.info('pdftotext not installed: checking the PDF title metadata instead of its page text');
      expect(pdf.toString('latin1')).toContain(`/Title (${data.title})`);
    }
    if (hasPdftoppm) {
      const pages = pdfPageInk(join(dir, 'report.pdf'));
      expect(pages.length).toBeGreaterThan(1);
      // A blank page inks nothing; the sparsest real page (the last, with the provenance table) still inks a few percent at 30 dpi.
      for (const [i, ink] of pages.entries()) expect(ink, `page ${i + 1} of ${pages.length}`).toBeGreaterThan(0.01);
    } else {
      console.info('pdftoppm not installed (Debian: poppler-utils): skipping the blank-page check of the PDF');
    }
    const png = readFileSync(join(dir, 'loss.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(2 * 900); // IHDR width: twice the CSS width
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('plateau-tmp'))).toEqual([]);
  });
});
