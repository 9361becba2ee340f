#!/usr/bin/env bash
# Device check: on a machine with an NVIDIA GPU, times the train-step cases and the grokking preset (through
# `plateau train`, the path users run) on every GPU backend that loads (tfjs-node-gpu, WebGPU on the
# hardware adapter) next to wasm, and prints one table. Installs what it needs from the npm registry.
# Usage: bash scripts/gpu-check.sh   (about 3-5 minutes; EPOCHS=N shortens the grokking run)
set -uo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-300}
OUT=${OUT:-$(mktemp -d)}
CASES=${CASES:-train_step_mlp784_512_10_b256_adam,train_step_cnn_16_32_b128_adam,lm_gpt2x128_T128_b32}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: no NVIDIA driver found"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
# an optional dependency: present where its binary downloaded at install time; fetched now otherwise
node -e "require.resolve('@tensorflow/tfjs-node-gpu')" 2>/dev/null ||
  npm install --no-save --no-audit --no-fund --loglevel=error @tensorflow/tfjs-node-gpu@4.22.0 ||
  echo "tfjs-node-gpu did not install: its row will say so"
npx electron-vite build >/dev/null

for b in wasm tfjs-node-gpu webgpu; do
  echo "== $b" >&2
  PLATEAU_BENCH_BACKEND=$b timeout 240 node bin/plateau.mjs bench --only "$CASES" --json >"$OUT/bench-$b.jsonl" 2>"$OUT/bench-$b.log"
  start=$(date +%s.%N)
  timeout 240 node bin/plateau.mjs --data-dir "$OUT/data-$b" train --preset grokking-mlp --backend "$b" --set epochs="$EPOCHS" --json \
    >"$OUT/train-$b.json" 2>"$OUT/train-$b.log"
  echo "{\"wall_s\": $(echo "$(date +%s.%N) - $start" | bc)}" >"$OUT/train-$b.wall"
done

node - "$OUT" "$EPOCHS" <<'JS'
const fs = require('fs');
const [out, epochs] = process.argv.slice(2);
const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
const rows = [];
for (const b of ['wasm', 'tfjs-node-gpu', 'webgpu']) {
  const bench = read(`${out}/bench-${b}.jsonl`).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const got = (read(`${out}/bench-${b}.log`).match(/backend (\S+)/) || [])[1] || 'did not start';
  const ms = (name) => bench.find((r) => r.name === name)?.value?.toFixed(1) ?? '-';
  let train = '-';
  try {
    const r = JSON.parse(read(`${out}/train-${b}.json`).trim().split('\n').pop());
    train = `${JSON.parse(read(`${out}/train-${b}.wall`)).wall_s.toFixed(1)} s (${r.status} on ${r.backend})`;
  } catch {}
  rows.push([b, got, ms('train_step_mlp784_512_10_b256_adam'), ms('train_step_cnn_16_32_b128_adam'), ms('lm_gpt2x128_T128_b32'), train]);
}
const head = ['asked', 'loaded', 'mlp step ms', 'cnn step ms', 'gpt step ms', `grokking ${epochs} ep`];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => String(c).padEnd(w[i])).join('  '));
console.log(`logs: ${out}`);
JS
