"""Run the jobs: in this process, on a local Dask cluster or on an existing one; resume; summarise.

The client (this process) reads each input's bytes, sends them with the task to
:func:`imlab.jobs.compute` (here, or on a Dask worker), and writes what comes back atomically
(:func:`imlab.writers.write_job`). The workers therefore need the project's code but no access
to the inputs or the output folder. At most ``2 × threads`` jobs are in flight, so memory on the
client stays bounded however many inputs there are. Rows of ``summary.csv`` follow the input
order, whatever order the jobs finish in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from imlab.inputs import Job
from imlab.jobs import Task, compute
from imlab.writers import SUMMARY, is_complete, summary_csv, write_atomic, write_job

__all__ = ["Backend", "fingerprint", "run_jobs"]

#: Message of a row whose outputs were already complete (``--resume``).
RESUMED = "outputs were already complete (--resume)"


def fingerprint(task: Task, job: Job, model_digest: str | None) -> str:
    """What decides a job's outputs: the settings, the model, each input's path, size and time."""
    inputs = []
    for path in job.paths:
        st = os.stat(path)
        inputs.append([os.path.realpath(path), st.st_size, st.st_mtime_ns])
    blob = json.dumps({"v": 1, "task": task.identity(), "model": model_digest, "inputs": inputs},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _payload(job: Job) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The job's input files as (name, bytes); unreadable ones as messages."""
    payload, bad = [], []
    for path in job.paths:
        try:
            payload.append((os.path.basename(path), Path(path).read_bytes()))
        except OSError as err:
            bad.append(f"The file cannot be read ({err.strerror or err}).")
    return payload, bad


class Backend:
    """Where jobs run: ``workers=0`` and no ``scheduler`` → this process, one job at a time;
    ``workers=N`` → a ``dask.distributed.LocalCluster`` of N single-threaded worker processes;
    ``scheduler="tcp://host:8786"`` → an existing Dask cluster.
    """

    def __init__(self, workers: int = 0, scheduler: str | None = None):
        self.workers, self.scheduler = int(workers or 0), scheduler
        self.client = None

    @property
    def distributed(self) -> bool:
        return bool(self.workers or self.scheduler)

    @contextmanager
    def started(self) -> Iterator[Backend]:
        """Start the cluster (or connect) for the block; a backend already started stays as it is."""
        if not self.distributed or self.client is not None:
            yield self
            return
        from distributed import Client, LocalCluster

        cluster = None
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="30s")
            except OSError as err:
                raise OSError(f"Cannot reach the Dask scheduler at {self.scheduler} ({err}). Is `dask scheduler` "
                              "running there, and is the address the one it printed?") from None
        else:
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(cluster)
        try:
            yield self
        finally:
            self.client.close()
            if cluster is not None:
                cluster.close()
            self.client = None

    def map(self, task: Task, jobs: list[tuple[int, list]], model: bytes | None) -> Iterator[tuple[int, dict]]:
        """Yield (index, compute's result) as jobs finish; ``jobs`` are (index, payload) pairs."""
        if not self.distributed:
            for index, payload in jobs:
                yield index, compute(task, payload, model)
            return
        yield from self._map_dask(task, jobs, model)

    def _map_dask(self, task, jobs, model):
        from distributed import as_completed

        client = self.client
        model_f = client.scatter(model, broadcast=True, hash=False) if model is not None else None
        window = max(2, 2 * sum(client.nthreads().values()))
        pending = iter(jobs)
        index_of = {}

        def submit():
            for index, payload in pending:
                [data] = client.scatter([payload], hash=False)
                fut = client.submit(compute, task, data, model_f, pure=False)
                index_of[fut.key] = (index, data)
                return fut
            return None

        first = [f for f in (submit() for _ in range(window)) if f is not None]
        queue = as_completed(first)
        for fut in queue:
            index, data = index_of.pop(fut.key)
            try:
                result = fut.result()
            except Exception as err:
                result = {"row": {"status": "error", "message": f"The worker failed on this input ({err}).",
                                  "seconds": None}, "files": {}}
            fut.release()
            data.release()
            yield index, result
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)


def run_jobs(task: Task, jobs: list[Job], out: Path, *, backend: Backend | None = None, model: bytes | None = None,
             resume: bool = False, progress: bool = True, on_row: Callable[[dict], None] | None = None) -> list[dict]:
    """Run every job and write its outputs under ``out``, then ``out/summary.csv``.

    Returns
    -------
    rows : list of dict
        One per job, in job order (what ``summary.csv`` holds).
    """
    from tqdm import tqdm

    backend = backend or Backend()
    out.mkdir(parents=True, exist_ok=True)
    model_digest = hashlib.sha256(model).hexdigest() if model is not None else None
    rows: list[dict | None] = [None] * len(jobs)
    prints: dict[int, str] = {}
    notes: dict[int, str] = {}  # unreadable files left out of a set
    todo: list[tuple[int, list]] = []

    def done(index: int, row: dict) -> None:
        if index in notes:
            row = {**row, "message": " ".join(m for m in (notes[index], row.get("message")) if m)}
        rows[index] = {"input": jobs[index].label, **row}
        if on_row:
            on_row(rows[index])

    for index, job in enumerate(jobs):
        if job.missing:
            done(index, {"status": "error", "message": job.missing})
            continue
        try:
            prints[index] = fingerprint(task, job, model_digest)
        except OSError as err:
            done(index, {"status": "error", "message": f"The file cannot be read ({err.strerror or err})."})
            continue
        marker = is_complete(out / job.name, prints[index]) if resume else None
        if marker is not None:
            done(index, {**marker.get("row", {}), "status": "ok", "message": RESUMED})
        else:
            todo.append(index)

    def payloads():
        for index in todo:
            payload, bad = _payload(jobs[index])
            if bad and not (task.per_set and payload):
                done(index, {"status": "error", "message": " ".join(bad)})
                bar.update(1)
                continue
            if bad:
                notes[index] = "Left out: " + " ".join(bad)
            yield index, payload

    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="img", desc=task.page or task.command,
               disable=not progress, file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
    failed = 0
    try:
        with backend.started():
            for index, result in backend.map(task, payloads(), model):
                row = result["row"]
                if row.get("status") == "ok":
                    write_job(out / jobs[index].name, result["files"], {"input": jobs[index].label, **row},
                              prints[index])
                else:
                    failed += 1
                done(index, row)
                bar.update(1)
                if failed:
                    bar.set_postfix(failed=failed)
    finally:
        bar.close()
        final = [r if r is not None else {"input": j.label, "status": "not run", "message": "interrupted"}
                 for r, j in zip(rows, jobs)]
        write_atomic(out / SUMMARY, summary_csv(final))
    return final
