"""Causal-LM mode of export_features.py: per evaluation set, the features entering the LM head.

The dump-set layout written here is defined in export_features.py's docstring (the entry point);
this module holds the code. No transformers import is needed: any torch module works, given a way to
reach its head (a module named `lm_head` by default, or any dotted module name).
"""
import json
import os
import re

import numpy as np
import torch

FORMAT = 'plateau-lm-features'
VERSION = 1
SET_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$')
RESERVED = {'none', 'test'}


class BytesTokenizer:
    """UTF-8 bytes as token ids (0..255): no vocabulary file needed, what byte-level models use."""
    name = 'bytes'

    def encode(self, text):
        return list(text.encode('utf-8'))


class JsonTokenizer:
    """A Hugging Face tokenizer.json, through the `tokenizers` package."""

    def __init__(self, path):
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise SystemExit(f"--tokenizer {path}: reading a tokenizer.json needs the 'tokenizers' package "
                             "(pip install tokenizers); or use --tokenizer bytes for a byte-level model")
        if not os.path.isfile(path):
            raise SystemExit(f'--tokenizer {path}: no such file')
        self.name = os.path.abspath(path)
        self._tok = Tokenizer.from_file(path)

    def encode(self, text):
        return self._tok.encode(text).ids


def make_tokenizer(spec):
    return BytesTokenizer() if spec in (None, '', 'bytes') else JsonTokenizer(spec)


def find_head(model, head=None):
    """The LM head: `head` (a module or dotted name), else a module named `lm_head`, else the last nn.Linear."""
    modules = dict(model.named_modules())
    if isinstance(head, torch.nn.Module):
        layer = head
    elif isinstance(head, str):
        if head not in modules:
            raise ValueError(f"no module named {head!r}; names: {', '.join(n for n in modules if n)}")
        layer = modules[head]
    elif 'lm_head' in modules:
        layer = modules['lm_head']
    else:
        linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        if not linears:
            raise ValueError('the model has no module named lm_head and no nn.Linear; name the head with --head')
        layer = linears[-1]
    if not isinstance(layer, torch.nn.Linear):
        raise ValueError(f'the head must be an nn.Linear (logits = weight @ features + bias), got {type(layer).__name__}')
    return layer


def parse_sets(specs):
    """['en=a.txt', 'de=b.txt'] -> [('en', 'a.txt'), ...], names checked (they become Plateau split names)."""
    sets = []
    for spec in specs:
        name, sep, path = spec.partition('=')
        if not sep or not path:
            raise SystemExit(f'--text expects NAME=PATH (e.g. en=english.txt), got {spec!r}')
        if not SET_NAME.match(name) or name in RESERVED:
            raise SystemExit(f"--text {spec}: the set name {name!r} must be letters, digits, _ . + - (at most 64), "
                             f"and not {' or '.join(sorted(RESERVED))}")
        if any(n == name for n, _ in sets):
            raise SystemExit(f'--text names the set {name!r} twice')
        if not os.path.isfile(path):
            raise SystemExit(f'--text {spec}: no such file {path!r}')
        sets.append((name, path))
    if not sets:
        raise SystemExit('name at least one evaluation set: --text en=english.txt')
    return sets


def windows(ids, context):
    """Non-overlapping windows of context + 1 tokens, stride `context`: every token after the first is a target once."""
    for start in range(0, len(ids) - 1, context):
        piece = ids[start:start + context + 1]
        if len(piece) >= 2:
            yield piece


class _ChunkWriter:
    """Collects (features, targets) rows and writes a chunk file every `chunk_rows` rows."""

    def __init__(self, out_dir, set_name, dtype, chunk_rows):
        self.out_dir, self.set_name, self.dtype, self.chunk_rows = out_dir, set_name, dtype, chunk_rows
        self.pending, self.pending_rows, self.chunks = [], 0, []
        os.makedirs(os.path.join(out_dir, set_name), exist_ok=True)

    def add(self, feats, targets):
        self.pending.append((feats, targets))
        self.pending_rows += len(targets)
        while self.pending_rows >= self.chunk_rows:
            self._flush(self.chunk_rows)

    def finish(self):
        if self.pending_rows:
            self._flush(self.pending_rows)
        return self.chunks

    def _flush(self, rows):
        f = np.concatenate([p[0] for p in self.pending])
        t = np.concatenate([p[1] for p in self.pending])
        rel = f'{self.set_name}/chunk-{len(self.chunks):05d}.npz'
        np.savez(os.path.join(self.out_dir, rel), features=f[:rows].astype(self.dtype), labels=t[:rows].astype(np.int32))
        self.chunks.append({'file': rel, 'rows': int(rows)})
        self.pending = [(f[rows:], t[rows:])] if rows < len(t) else []
        self.pending_rows = len(t) - rows


def export_lm_features(model, texts, out_dir, tokenizer=None, head=None, context=128, batch=8, chunk_rows=8192,
                       max_tokens=None, dtype='float16', train_set=None, step=None, device=None, progress=None):
    """Writes a dump set (see export_features.py) for `texts` = [(name, path), ...]; returns the manifest."""
    if dtype not in ('float16', 'float32'):
        raise ValueError(f"dtype must be 'float16' or 'float32', got {dtype!r}")
    if context < 1 or batch < 1 or chunk_rows < 1:
        raise ValueError('context, batch and chunk_rows must be positive')
    if train_set is not None and train_set not in [n for n, _ in texts]:
        raise ValueError(f"train_set {train_set!r} is not one of the sets: {', '.join(n for n, _ in texts)}")
    tokenizer = tokenizer or BytesTokenizer()
    layer = find_head(model, head)
    C, m = layer.weight.shape
    if device is None:
        device = layer.weight.device
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, 'manifest.json')
    if os.path.exists(manifest_path):
        os.remove(manifest_path)  # a dump set without a manifest is incomplete: never leave a stale one beside new chunks
    captured = []

    def hook(_module, inputs, _output):
        captured.append(inputs[0].detach())

    was_training = model.training
    model.eval()
    handle = layer.register_forward_hook(hook)
    sets = []
    try:
        with torch.no_grad():
            for name, path in texts:
                with open(path, encoding='utf-8') as fh:
                    ids = tokenizer.encode(fh.read())
                if max_tokens is not None:
                    ids = ids[:max_tokens]
                if len(ids) < 2:
                    raise ValueError(f'set {name!r} ({path}): {len(ids)} token(s); at least 2 are needed for one next-token target')
                top = max(ids)
                if top >= C:
                    raise ValueError(f'set {name!r} ({path}): token id {top} >= {C}, the rows of the head; '
                                     'is this the model\'s tokenizer?')
                writer = _ChunkWriter(out_dir, name, dtype, chunk_rows)
                pieces = list(windows(ids, context))
                for b in range(0, len(pieces), batch):
                    group = pieces[b:b + batch]
                    # windows of one batch share a length except the last one of the text: run it alone
                    for same in _by_length(group):
                        x = torch.tensor([p[:-1] for p in same], dtype=torch.long, device=device)
                        captured.clear()
                        model(x)
                        if len(captured) != 1:
                            raise ValueError(f'the head ran {len(captured)} times for one batch; expected once')
                        phi = captured[0]
                        if phi.shape[:2] != x.shape or phi.shape[-1] != m:
                            raise ValueError(f'the head saw inputs of shape {tuple(phi.shape)}; expected (batch, tokens, {m})')
                        targets = np.array([p[1:] for p in same], dtype=np.int64).reshape(-1)
                        writer.add(phi.reshape(-1, m).float().cpu().numpy(), targets)
                    if progress:
                        progress(name, min(b + batch, len(pieces)), len(pieces))
                chunks = writer.finish()
                sets.append({'name': name, 'source': os.path.abspath(path), 'tokens': len(ids),
                             'positions': sum(c['rows'] for c in chunks), 'chunks': chunks})
    finally:
        handle.remove()
        model.train(was_training)
    head_arrays = {'weight': layer.weight.detach().float().cpu().numpy()}
    if layer.bias is not None:
        head_arrays['bias'] = layer.bias.detach().float().cpu().numpy()
    np.savez(os.path.join(out_dir, 'head.npz'), **head_arrays)
    manifest = {
        'format': FORMAT,
        'version': VERSION,
        'dtype': dtype,
        'features': int(m),
        'classes': int(C),
        'head': {'file': 'head.npz', 'weight': [int(C), int(m)], 'bias': [int(C)] if layer.bias is not None else None},
        'tokenizer': tokenizer.name,
        'context': int(context),
        'train_set': train_set,
        'step': step,
        'sets': sets,
    }
    tmp = manifest_path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as fh:
        json.dump(manifest, fh, indent=1)
    os.replace(tmp, manifest_path)  # written last: its presence means the dump set is whole
    return manifest


def _by_length(group):
    lengths = sorted({len(p) for p in group}, reverse=True)
    return [[p for p in group if len(p) == n] for n in lengths]


def load_hf(name_or_dir, dtype=None):
    """A Hugging Face causal LM, when the transformers package is installed."""
    try:
        from transformers import AutoModelForCausalLM
    except ImportError:
        raise SystemExit(f"--hf {name_or_dir}: loading a Hugging Face model needs the 'transformers' package; "
                         'without it, pass --model module:function returning your torch module')
    kwargs = {'torch_dtype': getattr(torch, dtype)} if dtype else {}
    return AutoModelForCausalLM.from_pretrained(name_or_dir, **kwargs)
