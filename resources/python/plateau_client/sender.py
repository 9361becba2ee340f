"""The background thread: takes what run.log and run.checkpoint queue, sends it in batches, and spills to the
run folder whatever the host did not acknowledge once it stops answering."""
import base64
import collections
import os
import sys
import threading
import time

from .transport import ServerDown, ServerRefused

QUEUE_ITEMS = 100000  # log calls waiting at most; past that a call spills its points to the folder itself
LINGER_S = 0.05  # a batch gathers points this long (at most 20 requests a second)
BATCH_POINTS = 50000
RETRIES = (0.25, 0.5, 1.0, 2.0)  # then the host counts as gone
CHUNK = 4 * 1024 * 1024


def _warn(msg):
    sys.stderr.write('plateau: %s\n' % msg)


def series_of(points):
    """Columnar series, one per (key, split), as client.log takes them."""
    by = {}
    for key, split, step, value, epoch in points:
        s = by.get((key, split))
        if s is None:
            s = by[(key, split)] = {'key': key, 'split': split, 'steps': [], 'values': [], 'epochs': []}
        s['steps'].append(step)
        s['values'].append(value)
        s['epochs'].append(epoch)
    for s in by.values():
        if all(e is None for e in s['epochs']):
            del s['epochs']
    return list(by.values())


class Sender(threading.Thread):
    """Items: ('log', points), ('checkpoint', info), ('stop', None), in one deque (appends need no lock under the GIL)."""

    def __init__(self, transport, run_id, folder, url=''):
        super().__init__(name='plateau-sender', daemon=True)
        self.items = collections.deque()
        self.transport, self.run_id, self.folder, self.url = transport, run_id, folder, url
        self.offline = transport is None
        self.refused = 0  # batches the host refused: kept in the folder

    @property
    def needs_sync(self):
        return bool(self.folder.points or self.folder.checkpoints)

    def submit(self, item, block=False):
        if not block and len(self.items) >= QUEUE_ITEMS:
            # the host is slower than training: rather than wait, these points go to the folder at once
            self.folder.append_points(item[1])
        else:
            self.items.append(item)

    def stop(self):
        self.items.append(('stop', None))
        self.join()

    def run(self):
        items = self.items
        while True:
            if not items:
                time.sleep(LINGER_S)
                continue
            points = []
            while items and items[0][0] == 'log' and len(points) < BATCH_POINTS:
                points.extend(items.popleft()[1])
            if points:
                self._deliver(self._send_points, points, self.folder.append_points)
                if len(points) < BATCH_POINTS and not items:
                    time.sleep(LINGER_S)  # let the next batch gather (at most ~20 requests a second)
                continue
            kind, what = items.popleft()
            if kind == 'stop':
                return
            self._deliver(self._send_checkpoint, what, self.folder.add_checkpoint)
    def _deliver(self, send, what, keep):
        if self.offline:
            return keep(what)
        for delay in RETRIES + (None,):
            try:
                return send(what)
            except ServerDown as err:
                if delay is None:
                    self.go_offline(str(err))
                    return keep(what)
                time.sleep(delay)
            except ServerRefused as err:
                self.refused += 1
                _warn('the host refused a batch (%s); it is kept in %s' % (err, self.folder.path))
                return keep(what)

    def _send_points(self, points):
        for i in range(0, len(points), BATCH_POINTS):
            self.transport.call('client.log', {'runId': self.run_id, 'series': series_of(points[i:i + BATCH_POINTS])})

    def _upload(self, f):
        with open(f['file'], 'rb') as fh:
            offset = 0
            while True:
                data = fh.read(CHUNK)
                if not data:
                    break
                self.transport.call('client.upload', {'runId': self.run_id, 'sha256': f['sha256'], 'offset': offset,
                                                      'data': base64.b64encode(data).decode('ascii')})
                offset += len(data)

    def _send_checkpoint(self, info):
        files = [info] + ([info['features']] if info.get('features') else [])
        for f in files:
            self._upload(f)
        params = {'runId': self.run_id, 'step': info['step'], 'epoch': info['epoch'], 'sha256': info['sha256'], 'bytes': info['bytes']}
        if info.get('features'):
            params['features'] = {'sha256': info['features']['sha256'], 'bytes': info['features']['bytes']}
        self.transport.call('client.checkpoint', params)
        for f in files:  # stored on the host: the local copy goes
            os.remove(f['file'])

    def go_offline(self, reason):
        if self.offline:
            return
        self.offline = True
        self.transport.close()
        _warn('the host %s stopped answering (%s); logging on to %s. Bring it in later with: plateau sync %s'
              % (self.url, reason, self.folder.path, self.folder.path))
