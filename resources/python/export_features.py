#!/usr/bin/env python3
"""Write a Plateau feature dump (.npz) from your own PyTorch model and data.

Plateau's closed-form metrics (relative flatness, neural collapse, ...) need, for a trained
classifier, the input of its last linear layer ("features" phi(x)), the labels, and that layer's
weight and bias, so that logits = weight @ phi + bias. This script captures phi with a forward
hook on the last nn.Linear while running your data through the model, and saves:

    features       float32 (n, m)   input of the last linear layer, one row per sample
    labels         int64   (n,)     class indices in [0, C)
    weight         float32 (C, m)   that layer's weight
    bias           float32 (C,)     that layer's bias (omitted if it has none)
    test_features, test_labels      the same for the optional test split

As a module:

    from export_features import export_features
    export_features(model, train_loader, test_loader=None, path='dump.npz', last_layer=None)

From the command line, point it at your own code: a function building the (trained) model and a
function returning the data loaders (a train loader, or a (train, test) pair):

    python export_features.py --model mypkg.models:build --data mypkg.data:loaders \\
        --checkpoint weights.pt --out dump.npz

Then `plateau metrics --features dump.npz`, or import the file in the app.
Loaders must yield (inputs, labels, ...) batches; the model runs in eval mode, without gradients.

Causal-LM mode (`lm` as the first argument): per evaluation set (a language, a corpus), the features
entering the LM head (after the final norm: a forward hook on the head's input), the next-token targets,
and ONE head shared by all sets:

    python export_features.py lm --model mypkg.models:build_gpt --checkpoint ckpt.pt \
        --text en=english.txt --text de=german.txt --out dump-set/ [--train-set en] [--dtype float16]
    python export_features.py lm --hf EleutherAI/pythia-160m --tokenizer tokenizer.json ...   (needs transformers)

--model is any torch module called as model(input_ids) (batch, tokens); the head is the module named
by --head (default: `lm_head`, else the last nn.Linear), which must be an nn.Linear. Tokens come from
--tokenizer: `bytes` (default: UTF-8 bytes, ids 0..255) or a tokenizer.json (needs `tokenizers`).
Each text is cut into non-overlapping windows of --context + 1 tokens (stride --context), so every
token after the first is a target exactly once, predicted from up to --context tokens before it.

Dump-set layout (a folder; `plateau metrics --features FOLDER` or the Import view read it):

    manifest.json            written last (atomically): without it the folder is not a dump set
    head.npz                 weight float32 (C, m); bias float32 (C,) when the head has one
    <set>/chunk-00000.npz    features float16|float32 (rows, m): the head's input, one row per position
                             labels   int32 (rows,): the next token at that position, in [0, C)
    <set>/chunk-00001.npz    ... at most --chunk-rows rows each, in text order

manifest.json:

    {"format": "plateau-lm-features", "version": 1,
     "dtype": "float16" | "float32",          dtype of every chunk's features
     "features": m, "classes": C,
     "head": {"file": "head.npz", "weight": [C, m], "bias": [C] | null},
     "tokenizer": "bytes" | "/abs/path/tokenizer.json", "context": T,
     "train_set": "en" | null,                the set standing for the training data: its loss is
                                              train_loss, and each set's gap_loss = loss(set) - train_loss
     "step": 1000 | null,                     the checkpoint's training step (Pythia's step1000), if known
     "sets": [{"name": "en", "source": "/abs/english.txt", "tokens": N, "positions": n,
               "chunks": [{"file": "en/chunk-00000.npz", "rows": r0}, ...]}, ...]}

Set names are Plateau split names: letters, digits, _ . + - (at most 64), not `none` or `test`.
Paths in the manifest are relative to its folder. Memory while writing: one chunk plus one batch.
"""
import argparse
import importlib
import os
import sys

import numpy as np
import torch


def find_last_linear(model, last_layer=None):
    """The layer whose input is captured: `last_layer` (a module or a dotted name from
    model.named_modules()), else the last nn.Linear registered in the model. Registration order
    usually matches the forward order; pass `last_layer` when it does not."""
    if isinstance(last_layer, torch.nn.Module):
        layer = last_layer
    elif isinstance(last_layer, str):
        modules = dict(model.named_modules())
        if last_layer not in modules:
            raise ValueError(f"no module named {last_layer!r}; names: {', '.join(n for n in modules if n)}")
        layer = modules[last_layer]
    else:
        linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        if not linears:
            raise ValueError('the model has no nn.Linear layer; pass last_layer=')
        layer = linears[-1]
    if not isinstance(layer, torch.nn.Linear):
        raise ValueError(f'last_layer must be an nn.Linear, got {type(layer).__name__}')
    return layer


def _collect(model, layer, loader, device, max_batches=None):
    captured = []

    def hook(_module, inputs, _output):
        phi = inputs[0].detach()
        if phi.dim() != 2:
            raise ValueError(f'the last linear layer sees inputs of shape {tuple(phi.shape)}; '
                             'a feature dump needs one feature vector per sample (batch, m)')
        captured.append(phi.float().cpu())

    handle = layer.register_forward_hook(hook)
    feats, labels = [], []
    try:
        with torch.no_grad():
            for i, batch in enumerate(loader):
                if max_batches is not None and i >= max_batches:
                    break
                x, y = batch[0], batch[1]
                before = len(captured)
                model(x.to(device))
                if len(captured) != before + 1:
                    raise ValueError('the chosen layer ran %d times for one batch; expected once' % (len(captured) - before))
                feats.append(captured[-1])
                labels.append(torch.as_tensor(y).long().cpu())
    finally:
        handle.remove()
    if not feats:
        raise ValueError('the data loader yielded no batches')
    return torch.cat(feats).numpy(), torch.cat(labels).numpy()


def export_features(model, train_loader, test_loader=None, path='features.npz', last_layer=None, max_batches=None):
    """Runs the loaders through `model`, captures the last linear layer's input, writes `path` (.npz).

    Returns the dict of arrays written. The model's train/eval mode is restored afterwards.
    """
    layer = find_last_linear(model, last_layer)
    try:
        device = next(model.parameters()).device
    except StopIteration:
        device = torch.device('cpu')
    was_training = model.training
    model.eval()
    try:
        features, labels = _collect(model, layer, train_loader, device, max_batches)
        arrays = {'features': features, 'labels': labels,
                  'weight': layer.weight.detach().float().cpu().numpy()}
        if layer.bias is not None:
            arrays['bias'] = layer.bias.detach().float().cpu().numpy()
        if test_loader is not None:
            arrays['test_features'], arrays['test_labels'] = _collect(model, layer, test_loader, device, max_batches)
    finally:
        model.train(was_training)
    classes = arrays['weight'].shape[0]
    for name in ('labels', 'test_labels'):
        if name in arrays and arrays[name].size and (arrays[name].min() < 0 or arrays[name].max() >= classes):
            raise ValueError(f'{name} must lie in [0, {classes}) (the rows of the last layer); '
                             f'found [{arrays[name].min()}, {arrays[name].max()}]')
    np.savez(path, **arrays)
    return arrays


def _load(spec):
    module, _, name = spec.partition(':')
    if not name:
        raise SystemExit(f'expected module:function, got {spec!r}')
    return getattr(importlib.import_module(module), name)


def lm_main(argv):
    """The `lm` subcommand: a dump set of a causal LM (layout in the module docstring)."""
    from lm_features import export_lm_features, load_hf, make_tokenizer, parse_sets
    parser = argparse.ArgumentParser(prog='export_features.py lm', description='Per-set features entering a causal LM head.')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--model', help='module:function returning the torch module (called as model(input_ids))')
    source.add_argument('--hf', help='a Hugging Face model name or folder (needs the transformers package)')
    parser.add_argument('--checkpoint', help='with --model: a state dict (or {"model": state_dict}) to load first')
    parser.add_argument('--text', action='append', default=[], required=True, help='NAME=PATH, one per evaluation set')
    parser.add_argument('--out', required=True, help='output folder of the dump set')
    parser.add_argument('--tokenizer', help="'bytes' or a tokenizer.json (default: the --hf folder's tokenizer.json, else bytes)")
    parser.add_argument('--head', help="dotted module name of the LM head (default: 'lm_head', else the last nn.Linear)")
    parser.add_argument('--context', type=int, default=128, help='tokens per window (default 128)')
    parser.add_argument('--batch', type=int, default=8, help='windows per forward pass (default 8)')
    parser.add_argument('--chunk-rows', type=int, default=8192, help='positions per chunk file (default 8192)')
    parser.add_argument('--max-tokens', type=int, help='use at most this many tokens of each text')
    parser.add_argument('--dtype', choices=['float16', 'float32'], default='float16', help='features dtype (default float16)')
    parser.add_argument('--train-set', help='the set standing for the training data (gap_loss is measured from it)')
    parser.add_argument('--step', type=int, help="the checkpoint's training step, recorded in the manifest")
    parser.add_argument('--device', help='torch device for the forward passes (default: where the head is)')
    args = parser.parse_args(argv)
    sys.path.insert(0, '.')
    texts = parse_sets(args.text)
    if args.tokenizer is None:
        beside = os.path.join(args.hf, 'tokenizer.json') if args.hf else None
        args.tokenizer = beside if beside and os.path.isfile(beside) else 'bytes'
    if args.hf:
        model = load_hf(args.hf)
    else:
        model = _load(args.model)()
        if args.checkpoint:
            state = torch.load(args.checkpoint, map_location='cpu')
            model.load_state_dict(state.get('model', state) if isinstance(state, dict) else state)
    if args.device:
        model.to(args.device)
    try:
        manifest = export_lm_features(model, texts, args.out, make_tokenizer(args.tokenizer), args.head, args.context, args.batch,
                                      args.chunk_rows, args.max_tokens, args.dtype, args.train_set, args.step, args.device)
    except ValueError as err:
        raise SystemExit(f'export_features.py lm: {err}')
    sets = ', '.join(f"{s['name']} ({s['positions']} positions, {len(s['chunks'])} chunks)" for s in manifest['sets'])
    print(f"wrote {args.out}: head {manifest['classes']} x {manifest['features']}, {manifest['dtype']} features; {sets}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == 'lm':
        return lm_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     epilog='See the module docstring for the arrays written. '
                                            'Causal LMs: export_features.py lm --help (one dump set, per-language features).')
    parser.add_argument('--model', required=True, help='module:function returning the nn.Module')
    parser.add_argument('--data', required=True, help='module:function returning a train loader or (train, test) loaders')
    parser.add_argument('--checkpoint', help='a state dict (or {"model": state_dict}) to load into the model first')
    parser.add_argument('--last-layer', help='dotted module name of the last nn.Linear (default: the last one registered)')
    parser.add_argument('--max-batches', type=int, help='stop each split after this many batches')
    parser.add_argument('--out', default='features.npz', help='output .npz path (default: features.npz)')
    args = parser.parse_args(argv)
    sys.path.insert(0, '.')
    model = _load(args.model)()
    if args.checkpoint:
        state = torch.load(args.checkpoint, map_location='cpu')
        model.load_state_dict(state.get('model', state) if isinstance(state, dict) else state)
    loaders = _load(args.data)()
    train, test = loaders if isinstance(loaders, (tuple, list)) else (loaders, None)
    arrays = export_features(model, train, test, args.out, args.last_layer, args.max_batches)
    print(f"wrote {args.out}: features {arrays['features'].shape}, {arrays['weight'].shape[0]} classes"
          + (f", test {arrays['test_features'].shape}" if 'test_features' in arrays else ''))


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # lm_features beside this script
    main()
