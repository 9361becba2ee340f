"""The host's RPC over HTTP: POST /rpc/<method> with a bearer token and a JSON body (what a non-browser client may send)."""
import http.client
import json
import os
import urllib.parse

from .discover import data_dirs, find_host


class ServerDown(Exception):
    """No answer (refused, reset, timed out): the client spills to its offline folder."""


class ServerRefused(Exception):
    """The host answered with an error (bad token, invalid params): retrying will not help."""

    def __init__(self, code, message):
        super().__init__('%s: %s' % (code, message))
        self.code = code


def from_env(url=None, token=None):
    """(base URL, token) from the arguments, else PLATEAU_URL / PLATEAU_TOKEN; the URL `plateau serve` prints carries ?token=."""
    url = url or os.environ.get('PLATEAU_URL')
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    token = token or os.environ.get('PLATEAU_TOKEN') or dict(urllib.parse.parse_qsl(parts.query)).get('token')
    if not token:
        raise ValueError('PLATEAU_URL is set but no token: set PLATEAU_TOKEN to the token `plateau serve` printed (its URL has ?token=...)')
    if parts.scheme != 'http' or not parts.hostname:
        raise ValueError('PLATEAU_URL must be http://host:port (got %r)' % url)
    return '%s://%s' % (parts.scheme, parts.netloc), token


class Locator:
    """Where the host is: the URL given (PLATEAU_URL or url=), else whatever running app or `plateau serve` names itself
    in the data folder, looked up afresh at each try, since a restarted host has a new port and a new token."""

    def __init__(self, fixed=None):
        self.fixed = fixed

    def find(self):
        return self.fixed or find_host()

    def where(self):
        return self.fixed[0] if self.fixed else 'the Plateau named in %s' % ' or '.join(data_dirs())


def locate(url=None, token=None):
    """A Locator when a host is named or found running now, else None (offline)."""
    fixed = from_env(url, token)
    if fixed:
        return Locator(fixed)
    return Locator() if find_host() else None


class Transport:
    """One keep-alive connection, used from one thread at a time."""

    def __init__(self, base, token, timeout=10.0):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.token, self.timeout = token, timeout
        self.conn = None

    def call(self, method, params):
        body = json.dumps(params, separators=(',', ':'), allow_nan=False).encode('utf-8')
        headers = {'Authorization': 'Bearer ' + self.token, 'Content-Type': 'application/json'}
        for attempt in (0, 1):  # a keep-alive connection the host closed meanwhile is opened once more
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request('POST', '/rpc/' + method, body=body, headers=headers)
                res = self.conn.getresponse()
                text = res.read()
                break
            except (OSError, http.client.HTTPException) as err:
                self.close()
                if attempt:
                    raise ServerDown('%s: %s' % (method, err)) from None
        try:
            reply = json.loads(text)
        except ValueError:
            raise ServerDown('%s: the host answered HTTP %d with no JSON' % (method, res.status)) from None
        if not reply.get('ok'):
            err = reply.get('error') or {}
            raise ServerRefused(err.get('code', 'Error'), err.get('message', 'HTTP %d' % res.status))
        return reply['result']

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
