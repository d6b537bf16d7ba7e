"""Progress bars for long-running commands: shown in a terminal, silent in a pipe or a log."""
import sys

from tqdm import tqdm


def progress(iterable=None, *, total=None, desc=None, unit="it", stream=None):
    """A tqdm bar on stderr when it is a terminal; otherwise the iterable passes through untouched."""
    stream = stream or sys.stderr
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        file=stream,
        disable=not stream.isatty(),
        dynamic_ncols=True,
        leave=False,
    )
