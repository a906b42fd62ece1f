"""A small progress bar on stderr: redrawn in place on a terminal, a line
every tenth of the way otherwise (CI logs)."""

import sys
import time


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._last_tenth = -1
        self._tty = sys.stderr.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self._tty:
            if now - self._drawn_at >= 0.2 or self.done >= self.total:
                self._drawn_at = now
                self._draw(end="")
        else:
            tenth = min(10, self.done * 10 // self.total)
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self._draw(end="\n")

    def close(self) -> float:
        elapsed = time.monotonic() - self.started
        if self._tty:
            self._draw(end="\n")
        return elapsed

    def _draw(self, *, end: str) -> None:
        share = min(self.done / self.total, 1.0)
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        elapsed = time.monotonic() - self.started
        prefix = "\r" if self._tty else ""
        sys.stderr.write(
            f"{prefix}  {self.label:<22} [{bar}] {share:6.1%} "
            f"{self.done:>10,}/{self.total:,} {elapsed:6.1f}s{end}"
        )
        sys.stderr.flush()
