"""Finds a running Plateau (the desktop app or `plateau serve`) through the client-endpoint.json it writes in its data folder.

The folders are the app's own (src/main/app/paths.ts, src/main/index.ts): $PLATEAU_HOME when set, else the CLI's and
`plateau serve`'s user-data folder, and the desktop app's (Electron's userData for the app named 'plateau').
"""
import json
import os
import sys

ENDPOINT_FILE = 'client-endpoint.json'


def data_dirs(env=None, platform=None, home=None):
    """The data folders a host of this user may be serving, most specific first."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    home = home or os.path.expanduser('~')
    if env.get('PLATEAU_HOME'):
        return [os.path.abspath(env['PLATEAU_HOME'])]
    if platform == 'win32':
        appdata = env.get('APPDATA') or os.path.join(home, 'AppData', 'Roaming')
        return [os.path.join(appdata, 'Plateau'), os.path.join(appdata, 'plateau')]
    if platform == 'darwin':
        support = os.path.join(home, 'Library', 'Application Support')
        return [os.path.join(support, 'Plateau'), os.path.join(support, 'plateau')]
    return [
        os.path.join(env.get('XDG_DATA_HOME') or os.path.join(home, '.local', 'share'), 'plateau'),
        os.path.join(env.get('XDG_CONFIG_HOME') or os.path.join(home, '.config'), 'plateau'),
    ]


def pid_alive(pid):
    if sys.platform == 'win32':  # os.kill(pid, 0) would send Ctrl+C there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.windll.kernel32.GetLastError() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        ok = ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    except OSError:
        return False
    return True


def read_endpoint(folder):
    """(url, token) from `folder`/client-endpoint.json when its process still runs; None for no file, a bad one, or a stale one."""
    try:
        with open(os.path.join(folder, ENDPOINT_FILE)) as f:
            v = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(v, dict):
        return None
    url, token, pid = v.get('url'), v.get('token'), v.get('pid')
    if not (isinstance(url, str) and url.startswith('http://') and isinstance(token, str) and token):
        return None
    if type(pid) is not int or pid <= 0 or not pid_alive(pid):
        return None  # the host crashed and left its file: nobody answers there
    return url.rstrip('/'), token


def find_host(env=None):
    """(url, token) of the first data folder whose host runs, else None."""
    for folder in data_dirs(env):
        found = read_endpoint(folder)
        if found:
            return found
    return None
