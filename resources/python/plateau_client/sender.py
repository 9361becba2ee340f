"""The background thread: takes what run.log and run.checkpoint queue, sends it in batches, and spills to the
run folder whatever the host did not acknowledge once it stops answering. While spilling it keeps asking for the
host (with backoff); when one answers again, the spilled records go to it (points are upserts and a checkpoint step
is taken once, as for `plateau sync`) and the run goes on live."""
import base64
import collections
import os
import sys
import threading
import time

from .transport import ServerDown, ServerRefused, Transport

QUEUE_ITEMS = 100000  # log calls waiting at most; past that a call spills its points to the folder itself
LINGER_S = 0.05  # a batch gathers points this long (at most 20 requests a second)
BATCH_POINTS = 50000
RETRIES = (0.25, 0.5, 1.0, 2.0)  # then the host counts as gone
CHUNK = 4 * 1024 * 1024
RECONNECT_S = (0.5, 8.0)  # the first wait before asking for the host again, and the longest


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

    def __init__(self, locator, meta, folder):
        super().__init__(name='plateau-sender', daemon=True)
        self.items = collections.deque()
        self.locator, self.meta, self.folder = locator, meta, folder
        self.transport, self.run_id, self.url = None, None, ''
        self.offline = True
        self.refused = 0  # batches the host refused: kept in the folder
        self.recovered = 0  # spilled points brought to the host after it came back
        self.wait, self.next_try = RECONNECT_S[0], 0.0

    def connect(self):
        """client.start at the host the locator names now (the same uid lands on the same run); returns its checkpoint steps."""
        conf = self.locator.find() if self.locator else None
        if conf is None:
            raise ServerDown('no running Plateau found')
        transport = Transport(*conf)
        try:
            started = transport.call('client.start', self.meta)
        except Exception:
            transport.close()
            raise
        self.transport, self.url, self.run_id = transport, conf[0], started['run']['id']
        self.offline = False
        return set(started.get('checkpointSteps') or [])

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
            if self.offline and self.locator and time.monotonic() >= self.next_try:
                self.reconnect()
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
                if self.locator and (self.offline or (self.folder.points and not self.refused)):
                    self.reconnect()  # one last ask, so a host back by now gets the run's end live
                return
            self._deliver(self._send_checkpoint, what, self.folder.add_checkpoint)

    def reconnect(self):
        """Asks for the host; when it answers, brings in what was spilled and goes on live. False while it does not."""
        was_offline = self.offline
        try:
            steps = self.connect() if was_offline else None
            sent = self._bring_in(steps)
        except ServerDown as err:
            self._lost(str(err))
            return False
        except (ServerRefused, OSError, ValueError, KeyError) as err:
            # refused, or the folder unreadable: asking again will not change that, and `plateau sync` says what is wrong
            self._lost(str(err))
            self.locator = None
            _warn('the run stays in %s (%s); bring it in with: plateau sync %s' % (self.folder.path, err, self.folder.path))
            return False
        self.wait = RECONNECT_S[0]
        self.recovered += sent
        if was_offline:
            _warn('the host %s answers again: %d spilled points brought in; logging live' % (self.url, sent))
        return True

    def _lost(self, reason):
        was = self.offline
        self.offline = True
        if self.transport is not None:
            self.transport.close()
        if not was:
            _warn('the host %s stopped answering again (%s); logging on to %s' % (self.url, reason, self.folder.path))
        self.next_try = time.monotonic() + self.wait
        self.wait = min(self.wait * 2, RECONNECT_S[1])

    def _bring_in(self, steps):
        """Sends the folder's spilled points and checkpoints (those not on the host yet); each leaves the folder once sent."""
        end = self.folder.spilled_end()
        sent = 0
        for points in self.folder.spilled_points(end, BATCH_POINTS):
            self._send_points(points)
            sent += len(points)
        if end:
            self.folder.drop_points(end)
        infos = self.folder.spilled_checkpoints()
        if steps is None and infos:
            steps = self.connect()
        while infos:
            info = infos[0]
            if info['step'] in steps:
                for f in [info] + ([info['features']] if info.get('features') else []):
                    if os.path.exists(f['file']):
                        os.remove(f['file'])
            else:
                self._send_checkpoint(info)
            infos = infos[1:]
            self.folder.keep_checkpoints(infos)
        return sent

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
        self.wait, self.next_try = RECONNECT_S[0], time.monotonic() + RECONNECT_S[0]
        again = ' It reconnects when the host is back; else bring it in' if self.locator else ' Bring it in later'
        _warn('the host %s stopped answering (%s); logging on to %s.%s with: plateau sync %s'
              % (self.url, reason, self.folder.path, again, self.folder.path))
