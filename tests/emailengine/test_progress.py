"""Long-running commands show a progress bar in a terminal and stay quiet in a pipe."""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.subprocesses import test_database_url_for_subprocess

ROOT = Path(__file__).resolve().parents[2]


def _command_env():
    env = dict(os.environ)
    env["DATABASE_URL"] = test_database_url_for_subprocess()
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    env["CELERY_BROKER_URL"] = "memory://"
    return env


def _csv(tmp_path, rows=3000):
    path = tmp_path / "big.csv"
    path.write_text("email,first_name\n" + "".join(f"p{n}@example.com,P{n}\n" for n in range(rows)))
    return path


def _run_in_terminal(args, env):
    """Run a command with its output on a pseudo-terminal, as a person at a shell would."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    process = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=120)
    os.close(leader)
    return process.returncode, b"".join(chunks).decode(errors="replace")


def test_import_contacts_draws_a_bar_in_a_terminal_and_not_in_a_pipe(live_db, tmp_path):
    from contacts.seed import seed_tags_and_sources

    seed_tags_and_sources(progress=lambda items, **_: items)
    args = [sys.executable, "manage.py", "import_contacts", str(_csv(tmp_path)), "--tenant", "ulixai"]
    code, terminal = _run_in_terminal(args, _command_env())
    assert code == 0, terminal
    assert "%|" in terminal  # tqdm's bar

    piped = subprocess.run(args, env=_command_env(), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert "%|" not in piped.stdout + piped.stderr
    assert "3000" in piped.stdout or "3,000" in piped.stdout
