"""A run logged from your own training code: plateau_client.init(...) returns one."""
import atexit
import json
import os
import secrets
import sys
import time

from .offline import RunFolder
from .origin import current_origin
from .safetensors import save_safetensors, state_dict_of
from .sender import Sender
from .transport import ServerDown, locate

VERSION = '0.1.0'
_uncaught = []  # an exception that ended the script: the run ends 'failed', not 'succeeded'
_hook = sys.excepthook


def _record(kind, value, tb):
    _uncaught.append(value)
    _hook(kind, value, tb)


sys.excepthook = _record


def _split_of(key):
    """train_loss and train/loss are on train, test_* and test/* on test, anything else on no split."""
    if key.startswith(('train_', 'train/')):
        return 'train'
    if key.startswith(('test_', 'test/')):
        return 'test'
    return 'none'


class Run:
    def __init__(self, project='default', name=None, config=None, tags=None, mode=None, dir=None, url=None, token=None):
        mode = mode or os.environ.get('PLATEAU_MODE') or 'auto'
        if mode not in ('auto', 'live', 'offline'):
            raise ValueError("mode (or PLATEAU_MODE) must be 'live', 'offline' or 'auto', not %r" % mode)
        self.uid = '%s-%s' % (time.strftime('%Y%m%d-%H%M%S'), secrets.token_hex(4))
        self.name = (name or os.path.splitext(os.path.basename(sys.argv[0] or 'run'))[0] or 'run')[:120]
        try:  # what JSON cannot hold (a dtype, a path) is kept as its repr; NaN is refused by name
            config = json.loads(json.dumps(dict(config or {}), default=repr, allow_nan=False))
        except ValueError as err:
            raise ValueError('config must hold finite numbers only (%s)' % err) from None
        meta = {'uid': self.uid, 'project': project, 'name': self.name, 'config': config, 'tags': list(tags or []),
                'origin': current_origin(VERSION)}
        self.folder = RunFolder(os.path.join(dir or os.environ.get('PLATEAU_DIR') or 'plateau-runs', self.uid), meta)
        locator = None if mode == 'offline' else locate(url, token)
        if mode == 'live' and locator is None:
            raise ValueError('live mode needs a host: start the Plateau app or `plateau serve` (PLATEAU_HOME names its data folder '
                             'if not the default), or set PLATEAU_URL and PLATEAU_TOKEN as `plateau serve` prints them')
        self.sender = Sender(locator, meta, self.folder)
        if locator:
            try:
                self.sender.connect()
            except ServerDown as err:  # the background thread asks again, with backoff
                sys.stderr.write('plateau: no answer from %s (%s); logging offline to %s until it answers\n'
                                 % (locator.where(), err, self.folder.path))
        if self.sender.offline:
            self.folder.ensure()  # offline, the folder is the run
        self.sender.start()
        self._step, self._finished, self._nonfinite, self._splits = 0, False, set(), {}
        atexit.register(self._at_exit)

    @property
    def offline(self):
        return self.sender.offline

    @property
    def run_id(self):
        """The run's id on the host; None until a host has answered."""
        return self.sender.run_id

    def log(self, data, step=None, epoch=None, split=None):
        """Queues scalar metrics at `step` (default: one past the last); returns at once, the sending is done elsewhere."""
        if self._finished:
            raise RuntimeError('run.log after run.finish()')
        if step is None:
            step = self._step
        elif type(step) is not int or step < 0:
            raise ValueError('step must be a whole number >= 0, not %r' % (step,))
        if split is not None and split not in ('train', 'test', 'none'):
            raise ValueError("split must be 'train', 'test' or 'none', not %r" % (split,))
        self._step = step + 1
        points, splits = [], self._splits
        for key, value in data.items():
            s = split or splits.get(key)
            if s is None:
                if type(key) is not str or not 0 < len(key) <= 200:
                    raise ValueError('metric names must be strings of 1 to 200 characters, not %r' % (key,))
                s = splits[key] = _split_of(key)
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise TypeError('run.log: %r is a %s, not a number' % (key, type(value).__name__)) from None
            if v - v == 0.0:  # finite (inf - inf and nan - nan are nan)
                points.append((key, s, step, v, epoch))
            elif key not in self._nonfinite:
                self._nonfinite.add(key)
                sys.stderr.write('plateau: %r is %s at step %d; non-finite values are left out\n' % (key, v, step))
        if points:
            self.sender.submit(('log', points))

    def checkpoint(self, model_or_state_dict, step=None, epoch=None, features=None):
        """Writes the weights (and a feature dump: a dict of arrays, see capture_features) and queues their upload."""
        if self._finished:
            raise RuntimeError('run.checkpoint after run.finish()')
        step = max(self._step - 1, 0) if step is None else step
        if type(step) is not int or step < 0:
            raise ValueError('step must be a whole number >= 0, not %r' % (step,))
        path = self.folder.checkpoint_path(step)
        sha, size = save_safetensors(state_dict_of(model_or_state_dict), path, {'step': step})
        info = {'step': step, 'epoch': epoch, 'file': path, 'sha256': sha, 'bytes': size, 'features': None}
        if features is not None:
            if not isinstance(features, dict):
                raise TypeError('features must be a dict of arrays (features, labels, weight, bias...), as capture_features returns')
            fpath = self.folder.checkpoint_path(step, features=True)
            fsha, fsize = save_safetensors(features, fpath)
            info['features'] = {'file': fpath, 'sha256': fsha, 'bytes': fsize}
        self.sender.submit(('checkpoint', info), block=True)

    def finish(self, status='succeeded', error=None):
        """Sends what is queued and ends the run; returns the offline folder when something is in it to sync, else None."""
        if self._finished:
            return None
        self._finished = True
        self.sender.stop()
        s = self.sender
        if not s.offline:
            try:
                s.transport.call('client.finish', {'runId': self.run_id, 'status': status, **({'error': error[:4000]} if error else {})})
            except Exception as err:  # noqa: BLE001 -- the host is gone or refused: the folder keeps the ending
                s.go_offline(str(err))
        if s.offline or s.needs_sync:
            self.folder.finish(status, error)
            sys.stderr.write('plateau: run %s is in %s; bring it in with: plateau sync %s\n' % (self.uid, self.folder.path, self.folder.path))
            return self.folder.path
        s.transport.close()
        self.folder.remove_if_unused()
        return None

    def _at_exit(self):
        if not self._finished:
            err = _uncaught[-1] if _uncaught else None
            self.finish('failed' if err else 'succeeded', '%s: %s' % (type(err).__name__, err) if err else None)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.finish('succeeded')
        elif issubclass(kind, KeyboardInterrupt):
            self.finish('cancelled')
        else:
            self.finish('failed', '%s: %s' % (kind.__name__, value))
        return False
