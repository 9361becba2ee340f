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

    def _line(self, info):
        rel = lambda f: dict(f, file=os.path.relpath(f['file'], self.path))  # noqa: E731
        line = dict(rel(info), features=rel(info['features']) if info.get('features') else None)
        return json.dumps(line, separators=(',', ':')) + '\n'

    def add_checkpoint(self, info):
        """info: step, epoch, file (absolute), sha256, bytes, features (same, or None); files are named relative here."""
        with self.lock, open(os.path.join(self.path, 'checkpoints.jsonl'), 'a') as f:
            f.write(self._line(info))
            self.checkpoints += 1

    # What a run spilled while its host was away goes back to the host once it answers again (sender.py); the
    # lines leave the folder only after the host has them, so a crash on the way loses nothing to `plateau sync`.

    def spilled_end(self):
        """The length of metrics.jsonl now: every append before this moment is whole below it."""
        with self.lock:
            try:
                return os.path.getsize(os.path.join(self.path, 'metrics.jsonl'))
            except OSError:
                return 0

    def spilled_points(self, end, batch):
        """Lists of at most `batch` (key, split, step, value, epoch) tuples from the first `end` bytes of metrics.jsonl."""
        if not end:
            return
        points, seen = [], 0
        with open(os.path.join(self.path, 'metrics.jsonl'), 'rb') as f:
            for line in f:
                seen += len(line)
                p = json.loads(line)
                points.append((p['key'], p['split'], p['step'], p['value'], p.get('epoch')))
                if len(points) >= batch:
                    yield points
                    points = []
                if seen >= end:
                    break
        if points:
            yield points

    def drop_points(self, end):
        """Removes the first `end` bytes of metrics.jsonl (sent); what was appended since stays."""
        path = os.path.join(self.path, 'metrics.jsonl')
        with self.lock:
            with open(path, 'rb') as f:
                f.seek(end)
                tail = f.read()
            if tail:
                with open(path + '.tmp', 'wb') as f:
                    f.write(tail)
                os.replace(path + '.tmp', path)
            else:
                os.remove(path)
            self.points = tail.count(b'\n')

    def spilled_checkpoints(self):
        """checkpoints.jsonl's lines, with their files made absolute again."""
        try:
            with open(os.path.join(self.path, 'checkpoints.jsonl')) as f:
                infos = [json.loads(line) for line in f if line.strip()]
        except OSError:
            return []
        abs_ = lambda f: dict(f, file=os.path.join(self.path, f['file']))  # noqa: E731
        return [dict(abs_(i), features=abs_(i['features']) if i.get('features') else None) for i in infos]

    def keep_checkpoints(self, infos):
        """Rewrites checkpoints.jsonl (atomically) to hold `infos` only, absolute as spilled_checkpoints gives them."""
        path = os.path.join(self.path, 'checkpoints.jsonl')
        with self.lock:
            if infos:
                with open(path + '.tmp', 'w') as f:
                    f.write(''.join(self._line(i) for i in infos))
                os.replace(path + '.tmp', path)
            elif os.path.exists(path):
                os.remove(path)
            self.checkpoints = len(infos)

    def finish(self, status, error=None):
        self.ensure()
        _write_json(os.path.join(self.path, 'finish.json'), {'status': status, 'error': error})

    def remove_if_unused(self):
        """A live run that never spilled leaves no folder behind."""
        if not self.points and not self.checkpoints and os.path.isdir(self.path):
            shutil.rmtree(self.path, ignore_errors=True)
