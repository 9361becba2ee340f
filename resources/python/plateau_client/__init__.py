"""Log metrics and checkpoints from your own training code into Plateau.

    import plateau_client as plateau
    with plateau.init(project='mnist', config={'lr': 1e-3}) as run:
        run.log({'train_loss': loss.item()}, step=step)
        run.checkpoint(model, step=step)

Live when PLATEAU_URL and PLATEAU_TOKEN name a running host, or when the desktop app or `plateau serve` runs on the data
folder ($PLATEAU_HOME, else the default one: it names itself in client-endpoint.json there); else (or with
PLATEAU_MODE=offline) into a run folder under PLATEAU_DIR (default ./plateau-runs) that `plateau sync <folder>` brings
in once. A host that goes away mid-run is asked for again in the background; once back, the spilled records go to it.
"""
from .run import VERSION as __version__, Run
from .safetensors import save_safetensors


def init(project='default', name=None, config=None, tags=None, mode=None, dir=None, url=None, token=None):
    """Starts a run; use it as a context manager, or call run.finish() at the end."""
    return Run(project=project, name=name, config=config, tags=tags, mode=mode, dir=dir, url=url, token=token)


def capture_features(model, loader, test_loader=None, last_layer=None, max_batches=None):
    """The last nn.Linear's input on `loader` (and `test_loader`), for run.checkpoint(..., features=...). Needs torch."""
    from .torch_features import capture_features as capture

    return capture(model, loader, test_loader, last_layer, max_batches)


__all__ = ['init', 'Run', 'save_safetensors', 'capture_features', '__version__']
