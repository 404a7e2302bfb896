"""Background jobs of the data engineers' console: an import of an uploaded extract, and "Link now".

The embedded deployment (`make run`, one process) has no task queue, so a job runs in a daemon thread
started by the view. Django gives that thread its own database connection, which the thread closes when
the job ends. The job's live state (phase, rows done of total, start time, the run it works on) is kept in
Django's cache under a random id. An import's progress is read from its run (counters and checkpoint are
committed per batch, `total_rows` is set when the run starts): the cache only names the run and the row
this job started at. A process restart forgets the live state, never the runs: an interrupted import
resumes when its file is imported again.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.cache import cache
from django.db import connections

from pccovid.core.errors import ApplicationError
from pccovid.migration import linking, merge, probabilistic, selectors, services

logger = logging.getLogger("pccovid.migration.jobs")

TTL = 24 * 3600  # seconds a finished job's state stays readable
LINK_LOCK = "migration:link-job"  # the id of the link job running, if any: one at a time
RUNNING, DONE, FAILED = "running", "done", "failed"


class JobError(ApplicationError):
    code = "legacy_job"


def _key(job_id: str) -> str:
    return f"migration:job:{job_id}"


def job_get(job_id: str) -> dict | None:
    return cache.get(_key(job_id))


def _job_update(job_id: str, **changes) -> dict:
    job = {**(job_get(job_id) or {}), **changes}
    cache.set(_key(job_id), job, TTL)
    return job


def _job_new(kind: str, job_id: str | None = None, **fields) -> str:
    job_id = job_id or uuid.uuid4().hex
    job = {
        "id": job_id, "kind": kind, "status": RUNNING, "phase": "", "done": 0, "total": 0,
        "start_row": None, "started": time.time(), "run_id": None, "error": "",
    }  # fmt: skip
    cache.set(_key(job_id), job | fields, TTL)
    return job_id


def in_background(target: Callable[[], None]) -> None:
    """Run `target` in a daemon thread on its own database connection, closed at the end. Tests replace
    this with a direct call."""

    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()

    threading.Thread(target=run, daemon=True, name="pccovid-legacy-job").start()


def _guarded(job_id: str, work: Callable[[], dict]) -> None:
    """Run one job's work and record how it ended; an unexpected error is logged, never lost."""
    try:
        result = work()
        _job_update(job_id, status=DONE, phase="", finished=time.time(), **result)
    except ApplicationError as error:
        _job_update(job_id, status=FAILED, finished=time.time(), error=str(error.message))
    except Exception as error:  # a thread has nobody else to report to
        logger.exception("legacy job %s failed", job_id)
        _job_update(
            job_id, status=FAILED, finished=time.time(), error=f"{type(error).__name__}: {error}"[:500]
        )
    finally:
        if cache.get(LINK_LOCK) == job_id:
            cache.delete(LINK_LOCK)


# ------------------------------------------------------------------------------------------ import


def import_start(*, source: str, path: Path, file_name: str) -> str:
    """Start importing `path` (already checked by the caller) as `source`; returns the job id."""
    job_id = _job_new("import", source=source, file_name=file_name)
    in_background(lambda: _guarded(job_id, lambda: _import(job_id, source, path)))
    return job_id


def _import(job_id: str, source: str, path: Path) -> dict:
    digest = services.file_hash(path)

    def progress(done: int, total: int) -> None:
        """Only the first call matters: it names the run (whose counters, checkpoint and `total_rows` the
        page reads) and where this job started in it, for the speed."""
        if (job_get(job_id) or {}).get("run_id") is None:
            run = selectors.import_run_unfinished(source=source, file_hash=digest)
            _job_update(
                job_id, run_id=run.pk if run else None, start_row=done, started=time.time(), total=total
            )

    result = services.legacy_import(source=source, path=path, progress=progress)
    return {"run_id": result.run.pk, "already_imported": result.already_imported}


# -------------------------------------------------------------------------------------------- link


def link_start() -> str:
    """Start deterministic, then probabilistic linking, then the merge; refused while one runs."""
    job_id = uuid.uuid4().hex
    if not cache.add(LINK_LOCK, job_id, TTL):
        raise JobError("Linking is already running.", code="link_running")
    _job_new("link", job_id, phase="deterministic")
    in_background(lambda: _guarded(job_id, lambda: _link(job_id)))
    return job_id


def _link(job_id: str) -> dict:
    report = linking.link_deterministic(
        progress=lambda done, total: _job_update(job_id, done=done, total=total)
    )
    run = probabilistic.link_probabilistic(on_phase=lambda phase: _job_update(job_id, phase=phase))
    _job_update(job_id, phase="merge")
    merged = merge.links_merge()
    return {"run_id": run.pk, "deterministic": report.total_linked, "merged": merged}


# ------------------------------------------------------------------------------------------- reads


def comparisons_of(explanation: str) -> list[dict[str, str]]:
    """A link's explanation ("name:folded;dob:swapped;...;second candidate p=0.91") as comparisons:
    [{"name": "name", "outcome": "folded"}, ..., {"name": "second candidate p=0.91", "outcome": ""}]."""
    parts = [part.strip() for part in explanation.split(";") if part.strip()]
    return [
        {"name": name.strip(), "outcome": outcome.strip()}
        for name, _, outcome in (part.partition(":") for part in parts)
    ]
