"""Where a run comes from: host, git commit of the script's repository, command line."""
import os
import re
import shlex
import socket
import subprocess
import sys


def git_commit(folder):
    """HEAD of the repository holding `folder`, or None (no git, not a repository, or git too slow)."""
    try:
        out = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=folder, capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and re.fullmatch(r'[0-9a-f]{7,64}', sha) else None


def current_origin(version):
    script = sys.argv[0] if sys.argv and sys.argv[0] else ''
    folder = os.path.dirname(os.path.abspath(script)) if script else os.getcwd()
    command = ' '.join(shlex.quote(a) for a in [os.path.basename(sys.executable or 'python')] + sys.argv)
    return {
        'host': socket.gethostname()[:255],
        'gitCommit': git_commit(folder),
        'command': command[:8000],
        'clientVersion': version,
    }
