"""The background thread: takes what run.log and run.checkpoint queue, sends it in batches, and spills to the
run folder whatever the host did not acknowledge once it stops answering."""
import base64
import queue
import sys
import threading
import time

from .transport import ServerDown, ServerRefused

QUEUE_ITEMS = 20000  # log calls waiting at most; past that a call spills its points to the folder itself
BLOCK_S = 0.002  # how long a log call waits for room before spilling
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
    def __init__(self, transport, run_id, folder, url=''):
        super().__init__(name='plateau-sender', daemon=True)
        self.q = queue.Queue(maxsize=QUEUE_ITEMS)
        self.transport, self.run_id, self.folder, self.url = transport, run_id, folder, url
        self.offline = transport is None
        self.refused = 0  # batches the host refused: kept in the folder

    @property
    def needs_sync(self):
        return bool(self.folder.points or self.folder.checkpoints)

    def submit(self, item, block=False):
        try:
            self.q.put(item, timeout=None if block else BLOCK_S)
        except queue.Full:  # the host is slower than training: these points go to the folder at once
            self.folder.append_points(item[1])

    def stop(self):
        self.q.put(('stop', None))
        self.join()

    def run(self):
        held = None
        while True:
            item, held = held or self.q.get(), None
            kind = item[0]
            if kind == 'stop':
                return
            if kind == 'checkpoint':
                self._deliver(self._send_checkpoint, item[1], self.folder.add_checkpoint)
                continue
            points, deadline = list(item[1]), time.monotonic() + LINGER_S
            while len(points) < BATCH_POINTS:
                try:
                    nxt = self.q.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt[0] != 'log':
                    held = nxt
                    break
                points.extend(nxt[1])
            self._deliver(self._send_points, points, self.folder.append_points)

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
        import os
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
