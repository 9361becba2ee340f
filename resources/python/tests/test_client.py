"""Unit tests of plateau_client (no Plateau host needed): python3 -m unittest discover -s resources/python/tests"""
import hashlib
import http.server
import json
import os
import socket
import struct
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import plateau_client as plateau  # noqa: E402
from plateau_client import discover, sender, transport  # noqa: E402
from plateau_client.safetensors import save_safetensors  # noqa: E402


def read_safetensors(path):
    """An independent reader: header length, JSON header, raw bytes per tensor."""
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    return header, blob[8 + n:]


def load(path):
    with open(path) as f:
        return json.load(f)


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class SafetensorsTest(unittest.TestCase):
    def test_nested_lists_are_float32_little_endian_with_offsets(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'w.safetensors')
            sha, size = save_safetensors({'a': [[1.0, 2.0], [3.0, 4.5]], 'b': [7.0]}, path, {'step': 3})
            with open(path, 'rb') as f:
                blob = f.read()
            self.assertEqual((sha, size), (hashlib.sha256(blob).hexdigest(), len(blob)))
            header, data = read_safetensors(path)
            self.assertEqual(header['a'], {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [0, 16]})
            self.assertEqual(header['b'], {'dtype': 'F32', 'shape': [1], 'data_offsets': [16, 20]})
            self.assertEqual(header['__metadata__'], {'step': '3'})
            self.assertEqual(struct.unpack('<5f', data), (1.0, 2.0, 3.0, 4.5, 7.0))
            self.assertEqual(struct.unpack('<Q', blob[:8])[0] % 8, 0)  # data 8-byte aligned

    def test_ragged_lists_and_strings_are_refused_by_tensor_name(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(TypeError, "tensor 'w': a nested list must be rectangular"):
                save_safetensors({'w': [[1.0], [2.0, 3.0]]}, os.path.join(d, 'x.safetensors'))
            with self.assertRaisesRegex(TypeError, "tensor 'n'"):
                save_safetensors({'n': 'abc'}, os.path.join(d, 'x.safetensors'))

    def test_torch_tensors_round_trip(self):
        try:
            import torch
        except ImportError:
            self.skipTest('torch is not installed')
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 't.safetensors')
            w = torch.arange(6, dtype=torch.float64).reshape(2, 3) / 7
            save_safetensors({'w': w, 'n': torch.tensor([5, -2])}, path)
            header, data = read_safetensors(path)
            self.assertEqual(header['w']['dtype'], 'F32')  # floats are written as float32
            self.assertEqual(header['n'], {'dtype': 'I64', 'shape': [2], 'data_offsets': [24, 40]})
            got = struct.unpack('<6f', data[:24])
            for a, b in zip(got, w.float().flatten().tolist()):
                self.assertEqual(a, b)
            self.assertEqual(struct.unpack('<2q', data[24:40]), (5, -2))


class OfflineRunTest(unittest.TestCase):
    def test_offline_folder_holds_points_checkpoint_and_ending(self):
        with tempfile.TemporaryDirectory() as d:
            run = plateau.init(project='p', name='n', config={'lr': 0.5}, tags=['a'], mode='offline', dir=d)
            run.log({'train_loss': 2.0, 'test/acc': 0.5, 'lr': 1e-3}, step=0)
            run.log({'train_loss': 1.0, 'bad': float('nan')})  # step 1 by default; NaN left out
            run.checkpoint({'w': [[1.0, 0.0], [0.0, 1.0]]}, step=1, epoch=0.5)
            folder = run.finish()
            self.assertEqual(folder, run.folder.path)
            meta = load(os.path.join(folder, 'run.json'))
            self.assertEqual((meta['uid'], meta['project'], meta['config'], meta['tags']), (run.uid, 'p', {'lr': 0.5}, ['a']))
            self.assertEqual(meta['origin']['clientVersion'], plateau.__version__)
            pts = lines(os.path.join(folder, 'metrics.jsonl'))
            self.assertEqual([(p['key'], p['split'], p['step'], p['value']) for p in pts], [
                ('train_loss', 'train', 0, 2.0), ('test/acc', 'test', 0, 0.5), ('lr', 'none', 0, 1e-3), ('train_loss', 'train', 1, 1.0)])
            [ck] = lines(os.path.join(folder, 'checkpoints.jsonl'))
            self.assertEqual((ck['step'], ck['epoch'], ck['file']), (1, 0.5, 'checkpoints/step-00000001.safetensors'))
            with open(os.path.join(folder, ck['file']), 'rb') as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), ck['sha256'])
            self.assertEqual(load(os.path.join(folder, 'finish.json')), {'status': 'succeeded', 'error': None})

    def test_bad_calls_are_refused_by_name(self):
        with tempfile.TemporaryDirectory() as d:
            with plateau.init(mode='offline', dir=d) as run:
                with self.assertRaisesRegex(ValueError, 'step must be a whole number'):
                    run.log({'x': 1.0}, step=-1)
                with self.assertRaisesRegex(TypeError, "'x' is a str, not a number"):
                    run.log({'x': 'high'})

    def test_context_manager_ends_failed_with_the_exception(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(RuntimeError):
                with plateau.init(mode='offline', dir=d) as run:
                    raise RuntimeError('diverged')
            self.assertEqual(load(os.path.join(run.folder.path, 'finish.json')),
                             {'status': 'failed', 'error': 'RuntimeError: diverged'})


class FakeHost(http.server.ThreadingHTTPServer):
    """Answers client.start and acknowledges the first `answer` log batches, recording their points; then stops answering."""

    def __init__(self, answer):
        self.answer, self.acked, self.auth, self.calls = answer, [], [], []
        self.steps = []  # checkpoint steps the host says it has
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                host.auth.append((self.headers['Authorization'], self.headers['Content-Type']))
                method = self.path[len('/rpc/'):]
                host.calls.append((method, body.get('step')))
                if method == 'client.log':
                    if host.answer <= 0:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)  # the host "dies": no reply at all
                        return
                    host.answer -= 1
                    host.acked += [(s['key'], st) for s in body['series'] for st in s['steps']]
                result = {'run': {'id': 7}, 'checkpointSteps': host.steps, 'existed': False} if method == 'client.start' else {}
                data = json.dumps({'ok': True, 'result': result}).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(('127.0.0.1', 0), Handler)


def serve(host):
    threading.Thread(target=host.serve_forever, daemon=True).start()
    return host


def write_endpoint(folder, host, token, pid=None):
    with open(os.path.join(folder, 'client-endpoint.json'), 'w') as f:
        json.dump({'url': 'http://127.0.0.1:%d' % host.server_address[1], 'token': token, 'pid': pid or os.getpid()}, f)


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError('timed out')
        time.sleep(0.01)


class LiveSpillTest(unittest.TestCase):
    def setUp(self):
        self.saved = sender.RETRIES, sender.LINGER_S, sender.RECONNECT_S, os.environ.get('PLATEAU_HOME')
        sender.RETRIES, sender.LINGER_S, sender.RECONNECT_S = (0.01,), 0.001, (0.05, 0.2)
        self.home = tempfile.TemporaryDirectory()
        os.environ['PLATEAU_HOME'] = self.home.name  # no host there unless a test names one

    def tearDown(self):
        sender.RETRIES, sender.LINGER_S, sender.RECONNECT_S, home = self.saved
        if home is None:
            os.environ.pop('PLATEAU_HOME', None)
        else:
            os.environ['PLATEAU_HOME'] = home
        self.home.cleanup()

    def test_a_host_found_in_the_data_folder_that_goes_and_comes_back_elsewhere_gets_everything_once(self):
        first = serve(FakeHost(answer=2))
        write_endpoint(self.home.name, first, 'first-token')
        with tempfile.TemporaryDirectory() as d:
            run = plateau.init(project='p', dir=d)  # no URL, no token: found through PLATEAU_HOME
            self.assertFalse(run.offline)
            self.assertEqual(first.auth[0][0], 'Bearer first-token')
            i = 0
            while not run.offline:  # two batches acknowledged, then the host stops answering
                run.log({'loss': float(i)}, step=i)
                i += 1
                time.sleep(0.002)
            first.shutdown()
            first.server_close()
            for _ in range(20):  # spilled while the host is away
                run.log({'loss': float(i)}, step=i)
                i += 1
            run.checkpoint({'w': [[1.0, 2.0]]}, step=i - 1)
            self.assertGreater(run.folder.points, 0)
            second = serve(FakeHost(answer=10 ** 6))  # restarted: a new port and a new token, in the same file
            try:
                write_endpoint(self.home.name, second, 'second-token')
                wait_for(lambda: not run.offline)
                for _ in range(30):
                    run.log({'loss': float(i)}, step=i)
                    i += 1
                self.assertIsNone(run.finish())  # ended live: nothing left to sync
                self.assertFalse(os.path.exists(run.folder.path))
                self.assertEqual(sorted(first.acked + second.acked), [('loss', s) for s in range(i)])  # all, once
                self.assertGreaterEqual(run.sender.recovered, 20)
                self.assertEqual({a for a, _ in second.auth}, {'Bearer second-token'})
                calls = [c for c in second.calls if c[0] != 'client.upload']
                self.assertEqual(calls[0][0], 'client.start')
                self.assertIn(('client.checkpoint', i - 31), calls)
                self.assertEqual(calls[-1][0], 'client.finish')
            finally:
                second.shutdown()
                second.server_close()

    def test_points_the_host_never_acknowledged_are_in_the_folder_and_nothing_is_lost(self):
        host = FakeHost(answer=3)
        threading.Thread(target=host.serve_forever, daemon=True).start()
        try:
            with tempfile.TemporaryDirectory() as d:
                url = 'http://127.0.0.1:%d/?token=secret' % host.server_address[1]
                run = plateau.init(project='p', dir=d, url=url)
                self.assertFalse(run.offline)
                for i in range(300):
                    run.log({'loss': float(i)}, step=i)
                    if i % 50 == 0:
                        time.sleep(0.02)  # let batches go out
                folder = run.finish()
                self.assertTrue(run.offline)
                spilled = [(p['key'], p['step']) for p in lines(os.path.join(folder, 'metrics.jsonl'))]
                self.assertGreater(len(host.acked), 0)
                self.assertEqual(sorted(host.acked + spilled), [('loss', i) for i in range(300)])
                self.assertEqual(load(os.path.join(folder, 'run.json'))['uid'], run.uid)
                self.assertEqual(host.auth[0], ('Bearer secret', 'application/json'))
        finally:
            host.shutdown()

    def test_spilled_checkpoints_the_host_has_are_not_sent_again_and_their_files_go(self):
        host = serve(FakeHost(answer=10 ** 6))
        host.steps = [3]  # taken before the host went away (its reply lost)
        try:
            with tempfile.TemporaryDirectory() as d:
                run = plateau.init(project='p', dir=d, mode='offline')
                run.log({'loss': 1.0}, step=3)
                run.checkpoint({'w': [[1.0]]}, step=3)
                run.checkpoint({'w': [[2.0]]}, step=4, features={'features': [[1.0, 2.0]], 'labels': [0.0]})
                wait_for(lambda: run.folder.checkpoints == 2)
                self.assertEqual(len(os.listdir(os.path.join(run.folder.path, 'checkpoints'))), 3)
                run.sender.locator = transport.Locator(('http://127.0.0.1:%d' % host.server_address[1], 'tok'))
                self.assertIsNone(run.finish())  # asked once more at the end: the host answers
                self.assertFalse(os.path.exists(run.folder.path))
                methods = [c for c in host.calls if c[0] != 'client.upload']
                self.assertEqual(methods, [('client.start', None), ('client.log', None), ('client.checkpoint', 4), ('client.finish', None)])
                self.assertEqual(len([c for c in host.calls if c[0] == 'client.upload']), 2)  # weights and features of step 4
                self.assertEqual(host.acked, [('loss', 3)])
        finally:
            host.shutdown()
            host.server_close()

    def test_no_host_at_the_url_means_offline_from_the_start(self):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        with tempfile.TemporaryDirectory() as d:
            run = plateau.init(dir=d, url='http://127.0.0.1:%d' % port, token='t')
            self.assertTrue(run.offline)
            run.log({'x': 1.0}, step=0)
            self.assertEqual(len(lines(os.path.join(run.finish(), 'metrics.jsonl'))), 1)


class DiscoverTest(unittest.TestCase):
    def test_the_data_folders_are_the_apps_per_platform(self):
        home = '/h'
        self.assertEqual(discover.data_dirs({'PLATEAU_HOME': '/data/p'}, 'linux', home), ['/data/p'])
        self.assertEqual(discover.data_dirs({}, 'linux', home), ['/h/.local/share/plateau', '/h/.config/plateau'])
        self.assertEqual(discover.data_dirs({'XDG_DATA_HOME': '/x', 'XDG_CONFIG_HOME': '/c'}, 'linux', home), ['/x/plateau', '/c/plateau'])
        self.assertEqual(discover.data_dirs({}, 'darwin', home),
                         ['/h/Library/Application Support/Plateau', '/h/Library/Application Support/plateau'])
        self.assertEqual(discover.data_dirs({'APPDATA': 'C:/R'}, 'win32', home),
                         [os.path.join('C:/R', 'Plateau'), os.path.join('C:/R', 'plateau')])

    def test_a_file_whose_process_is_gone_or_that_is_cut_short_is_not_trusted(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertIsNone(discover.read_endpoint(d))
            path = os.path.join(d, 'client-endpoint.json')
            with open(path, 'w') as f:
                json.dump({'url': 'http://127.0.0.1:5/', 'token': 't', 'pid': os.getpid()}, f)
            self.assertEqual(discover.read_endpoint(d), ('http://127.0.0.1:5', 't'))
            import subprocess
            child = subprocess.Popen([sys.executable, '-c', 'pass'])
            child.wait()  # its pid now names no process
            with open(path, 'w') as f:
                json.dump({'url': 'http://127.0.0.1:5', 'token': 't', 'pid': child.pid}, f)
            self.assertIsNone(discover.read_endpoint(d))
            with open(path, 'w') as f:
                f.write('{"url": "http://127.0.0.1:5", "tok')
            self.assertIsNone(discover.read_endpoint(d))


class TransportTest(unittest.TestCase):
    def test_url_and_token_from_the_printed_url_or_the_environment(self):
        self.assertEqual(transport.from_env('http://127.0.0.1:7860/?token=abc'), ('http://127.0.0.1:7860', 'abc'))
        self.assertEqual(transport.from_env('http://127.0.0.1:7860', 'xyz'), ('http://127.0.0.1:7860', 'xyz'))
        old = os.environ.pop('PLATEAU_TOKEN', None)
        try:
            with self.assertRaisesRegex(ValueError, 'set PLATEAU_TOKEN'):
                transport.from_env('http://127.0.0.1:7860')
        finally:
            if old is not None:
                os.environ['PLATEAU_TOKEN'] = old

    def test_series_are_columnar_per_key_and_split(self):
        got = sender.series_of([('a', 'train', 0, 1.0, None), ('b', 'none', 0, 2.0, 1.5), ('a', 'train', 1, 3.0, None)])
        self.assertEqual(got, [{'key': 'a', 'split': 'train', 'steps': [0, 1], 'values': [1.0, 3.0]},
                               {'key': 'b', 'split': 'none', 'steps': [0], 'values': [2.0], 'epochs': [1.5]}])


if __name__ == '__main__':
    unittest.main()
