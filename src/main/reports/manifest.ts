/**
 * manifest.json: the provenance of a report folder. Enough to tell later which app, backends, configs,
 * seeds and checkpoints produced it, and whether any file in the folder has changed since.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { version as echartsVersion } from 'echarts/core';
import type { ReportData } from './report-data';
import type { WrittenReport } from './write-report';

export const MANIFEST_FORMAT = 'plateau-report-manifest/1';

export interface ManifestFile {
  /** Relative to the report folder, '/'-separated. */
  path: string;
  bytes: number;
  sha256: string;
}

/** Hex sha256 of a file, streamed: PDFs and PNGs need not fit in memory twice. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

async function describeFile(outDir: string, path: string): Promise<ManifestFile> {
  const [st, sha256] = await Promise.all([stat(path), sha256File(path)]);
  return { path: relative(outDir, path).split(/[\\/]/).join('/'), bytes: st.size, sha256 };
}

/** The manifest object for the files already written into `outDir` (the manifest itself is not listed). */
export async function buildManifest(data: ReportData, outDir: string, written: WrittenReport) {
  const p = data.provenance;
  return {
    format: MANIFEST_FORMAT,
    title: data.title,
    createdAt: new Date(data.generatedAt).toISOString(),
    app: { name: 'plateau', version: p.appVersion, host: p.host, node: process.versions.node, charts: `echarts ${echartsVersion}` },
    project: data.project,
    backends: p.backends,
    seeds: p.seeds,
    runs: data.runs.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      preset: r.preset,
      seed: r.seed,
      backend: r.backend,
      origin: r.origin,
      group: r.group,
      versions: r.versions,
      config: r.config,
      checkpoints: r.checkpoints,
    })),
    groups: data.groups.map((g) => ({ id: g.id, label: g.label, preset: g.preset, runs: g.runIds, seeds: g.seeds })),
    statistics: {
      std: 'sample standard deviation (ddof 1)',
      sem: 'std / sqrt(n)',
      ci95: 'mean -+ t(0.975, n - 1) * sem (Student t); empty for n = 1',
      final: "a run's final value of a metric is its value at the last step it was measured (whole model, not per layer)",
    },
    files: await Promise.all(written.files.map((f) => describeFile(outDir, f))),
    skipped: written.skipped,
    notes: data.notes,
  };
}

export type ReportManifest = Awaited<ReturnType<typeof buildManifest>>;
