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
"""
import argparse
import importlib
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     epilog='See the module docstring for the arrays written.')
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
    main()
