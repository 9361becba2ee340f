"""A feature dump from a torch model: the input of its last nn.Linear on a loader (METRICS.md "Feature dump format")."""
import torch


def find_last_linear(model, last_layer=None):
    """`last_layer` (a module or a dotted name), else the last nn.Linear registered in the model."""
    if isinstance(last_layer, str):
        modules = dict(model.named_modules())
        if last_layer not in modules:
            raise ValueError('no module named %r; names: %s' % (last_layer, ', '.join(n for n in modules if n)))
        last_layer = modules[last_layer]
    if last_layer is None:
        linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        if not linears:
            raise ValueError('the model has no nn.Linear layer; pass last_layer=')
        last_layer = linears[-1]
    if not isinstance(last_layer, torch.nn.Linear):
        raise ValueError('last_layer must be an nn.Linear, got %s' % type(last_layer).__name__)
    return last_layer


def _collect(model, layer, loader, device, max_batches):
    seen = []
    handle = layer.register_forward_hook(lambda _m, inputs, _out: seen.append(inputs[0].detach().float().cpu()))
    feats, labels = [], []
    try:
        with torch.no_grad():
            for i, (x, y, *_rest) in enumerate(loader):
                if max_batches is not None and i >= max_batches:
                    break
                before = len(seen)
                model(x.to(device))
                if len(seen) != before + 1:
                    raise ValueError('the last linear layer ran %d times for one batch; expected once' % (len(seen) - before))
                if seen[-1].dim() != 2:
                    raise ValueError('the last linear layer sees inputs of shape %s; a dump needs (batch, m)' % (tuple(seen[-1].shape),))
                feats.append(seen[-1])
                labels.append(torch.as_tensor(y).long().cpu())
    finally:
        handle.remove()
    if not feats:
        raise ValueError('the data loader yielded no batches')
    return torch.cat(feats), torch.cat(labels)


def capture_features(model, loader, test_loader=None, last_layer=None, max_batches=None):
    layer = find_last_linear(model, last_layer)
    device = next((p.device for p in model.parameters()), torch.device('cpu'))
    was_training = model.training
    model.eval()
    try:
        features, labels = _collect(model, layer, loader, device, max_batches)
        dump = {'features': features, 'labels': labels, 'weight': layer.weight.detach().float().cpu()}
        if layer.bias is not None:
            dump['bias'] = layer.bias.detach().float().cpu()
        if test_loader is not None:
            dump['test_features'], dump['test_labels'] = _collect(model, layer, test_loader, device, max_batches)
    finally:
        model.train(was_training)
    return dump
