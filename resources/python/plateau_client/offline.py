"""The offline run folder: what `plateau sync <folder>` reads.

    run.json           uid, project, name, config, tags, origin (the uid makes a sync land on one run, once)
    metrics.jsonl      one point a line: {"step", "key", "value", "split", "epoch"}
    checkpoints.jsonl  one checkpoint a line: {"step", "epoch", "file", "sha256", "bytes", "features"}
    checkpoints/       the safetensors files those lines name
    finish.json        {"status", "error"} once the run has ended
"""
import json
import os
import shutil
import threading

FORMAT = 'plateau-client-run'


def _write_json(path, value):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(value, f, indent=1)
    os.replace(tmp, path)


class RunFolder:
    def __init__(self, path, meta):
        self.path, self.meta = path, meta
        self.lock = threading.Lock()
        self.points = 0  # written here, for sync
        self.checkpoints = 0

    def ensure(self):
        with self.lock:
            if not os.path.exists(os.path.join(self.path, 'run.json')):
                os.makedirs(os.path.join(self.path, 'checkpoints'), exist_ok=True)
                _write_json(os.path.join(self.path, 'run.json'), dict(self.meta, format=FORMAT, version=1))

    def checkpoint_path(self, step, features=False):
        self.ensure()
        return os.path.join(self.path, 'checkpoints', 'step-%08d%s.safetensors' % (step, '.features' if features else ''))

    def append_points(self, points):
        """points: (key, split, step, value, epoch) tuples."""
        self.ensure()
        lines = ''.join(
            json.dumps({'step': s, 'key': k, 'value': v, 'split': sp, 'epoch': e}, separators=(',', ':')) + '\n'
            for k, sp, s, v, e in points
        )
        with self.lock, open(os.path.join(self.path, 'metrics.jsonl'), 'a') as f:
            f.write(lines)
            self.points += len(points)

    def add_checkpoint(self, info):
        """info: step, epoch, file (absolute), sha256, bytes, features (same, or None); files are named relative here."""
        rel = lambda f: dict(f, file=os.path.relpath(f['file'], self.path))  # noqa: E731
        line = dict(rel(info), features=rel(info['features']) if info.get('features') else None)
        with self.lock, open(os.path.join(self.path, 'checkpoints.jsonl'), 'a') as f:
            f.write(json.dumps(line, separators=(',', ':')) + '\n')
            self.checkpoints += 1

    def finish(self, status, error=None):
        self.ensure()
        _write_json(os.path.join(self.path, 'finish.json'), {'status': status, 'error': error})

    def remove_if_unused(self):
        """A live run that never spilled leaves no folder behind."""
        if not self.points and not self.checkpoints and os.path.isdir(self.path):
            shutil.rmtree(self.path, ignore_errors=True)
