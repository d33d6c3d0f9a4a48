"""The progress bar of ``kg build`` on a terminal (documents done of all, words/s, ETA);
nothing in pipes and CI."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path


class BuildProgress:
    """A context manager whose value is the ``progress(done, words)`` callback of
    kg.pipeline.build_dataset."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.bar = None

    def __enter__(self):
        self.started = time.perf_counter()
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            from kg.read import count_documents

            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("building", total=count_documents(self.paths) or None)
        return self.report

    def report(self, done: int, words: int) -> None:
        if self.bar is not None:
            rate = words / max(time.perf_counter() - self.started, 1e-6)
            total = self.bar.tasks[0].total
            if total is not None and done > total:  # JSONL lines that were not documents
                self.bar.update(self.task, total=done)
            self.bar.update(self.task, completed=done, description=f"{rate:,.0f} words/s")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
