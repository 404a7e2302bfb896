"""Thin web views of the data engineers' console, "Legacy data": upload an extract and watch its import,
link now and watch the phases, download a run's rejects, and settle the clerical review queue pair by pair.

Imports and linking run in the background (`jobs`): the pages poll a small progress fragment every second
(HTMX) that stops polling once the job is over.
"""

import csv
import time
import uuid
from collections.abc import Iterator
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.core.errors import ApplicationError, NotFound
from pccovid.migration import adapters, jobs, review, selectors
from pccovid.migration.formats import FileKind
from pccovid.migration.forms import DecisionForm, UploadForm, suffix_of
from pccovid.migration.services import REJECT_FIELDS
from pccovid.web.views import official_required

IMPORT, REVIEW = "legacy.import", "legacy.review"
QUEUE_SIZE = 50
# Which part of a link's explanation compares which row of the pair page.
COMPARED = {"name": "name", "birth": "dob", "sex": "sex", "phone": "phone", "unit": "unit"}


def data_engineer_required(action: str):
    """An official whose acting assignment allows `action`; anyone else gets the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, assignment, assignments, *args, **kwargs):
            if not assignment.allows(action):
                return render(
                    request, "migration/console_forbidden.html", {"assignment": assignment}, status=403
                )
            return view(request, assignment, *args, **kwargs)

        return official_required(wrapper)

    return decorator


def _not_found(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(request, "web/not_found.html", {"message": message or NotFound().message}, status=404)


# ------------------------------------------------------------------------------------------- import


@data_engineer_required(IMPORT)
def home(request: HttpRequest, assignment) -> HttpResponse:
    """The upload form (POST starts an import), the recent runs, and the last link run."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job_id = _import_start(form)
        if job_id:
            return redirect("legacy-console:job", job_id)
    context = {
        "assignment": assignment,
        "form": form,
        "runs": selectors.import_runs_recent(),
        "link_run": selectors.link_run_last(),
        "can_review": assignment.allows(REVIEW),
        "review_count": selectors.review_count(assignment=assignment) if assignment.allows(REVIEW) else 0,
    }
    return render(request, "migration/console_home.html", context, status=400 if form.errors else 200)


def _import_start(form: UploadForm) -> str | None:
    """Save the upload under VAR_DIR, check it is the source's extract, start its import. A file that is
    not the extract is deleted and its reason put on the form (None returned)."""
    source, upload = form.cleaned_data["source"], form.cleaned_data["file"]
    folder = Path(settings.VAR_DIR) / "imports" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{source}{suffix_of(source)}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    if error := _extract_error(source, path, upload.name):
        path.unlink()
        form.add_error("file", error)
        return None
    return jobs.import_start(source=source, path=path, file_name=upload.name)


def _extract_error(source: str, path: Path, name: str) -> str | None:
    """Why the saved file is not `source`'s extract (its header, its first JSON line), or None."""
    extract = adapters.extract_of(source)
    try:
        first = next(adapters.rows_read(extract, path), None)
    except adapters.AdapterError as error:
        return str(error.message).replace(str(path), name)
    if extract.kind is FileKind.JSONL and first is not None and first[1] is None:
        return _("%(name)s: the first line is not a %(source)s record (a JSON object with its fields).") % {
            "name": name,
            "source": source,
        }
    return None


@data_engineer_required(IMPORT)
def job(request: HttpRequest, assignment, job_id: str) -> HttpResponse:
    found = jobs.job_get(job_id)
    if found is None:
        return _not_found(request)
    return render(request, "migration/console_job.html", {"assignment": assignment, **_progress(found)})


@data_engineer_required(IMPORT)
def job_progress(request: HttpRequest, assignment, job_id: str) -> HttpResponse:
    """The polled fragment: it carries the polling trigger only while the job runs."""
    found = jobs.job_get(job_id)
    if found is None:
        return _not_found(request)
    return render(request, "migration/console_progress.html", _progress(found))


def _progress(job: dict) -> dict:
    """Rows done of total, speed and time left (from the run's committed counters), or the link phase."""
    run = (
        selectors.import_run_get(run_id=job["run_id"]) if job["kind"] == "import" and job["run_id"] else None
    )
    done = run.last_committed_row if run else job["done"]
    total = max((run.total_rows if run else None) or job["total"], done)
    elapsed = (job.get("finished") or time.time()) - job["started"]
    rate = (done - (job["start_row"] or 0)) / elapsed if elapsed > 0 else 0.0
    running = job["status"] == jobs.RUNNING
    return {
        "job": job,
        "run": run,
        "running": running,
        "done": done,
        "total": total,
        "rate": round(rate),
        "eta": round((total - done) / rate) if running and rate > 0 else None,
        "link_run": selectors.link_run_last() if job["kind"] == "link" and not running else None,
    }


@data_engineer_required(IMPORT)
def rejects_csv(request: HttpRequest, assignment, run_id: int) -> HttpResponse:
    """A run's rejects as CSV (row, record_id, field, reason), streamed from the committed rejects."""
    run = selectors.import_run_get(run_id=run_id)
    if run is None:
        return _not_found(request)
    response = StreamingHttpResponse(
        _csv_lines(selectors.import_rejects(run=run).iterator()), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{run.source}-{run.pk}-rejects.csv"'
    return response


class _Line:
    """A file-like object whose `write` returns the line: csv.writer then yields text, row by row."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rejects) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(REJECT_FIELDS)
    for reject in rejects:
        yield writer.writerow([getattr(reject, name) for name in REJECT_FIELDS])


# --------------------------------------------------------------------------------------------- link


@require_POST
@data_engineer_required(IMPORT)
def link_now(request: HttpRequest, assignment) -> HttpResponse:
    try:
        job_id = jobs.link_start()
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("legacy-console:home")
    return redirect("legacy-console:job", job_id)


# ------------------------------------------------------------------------------------------- review


@data_engineer_required(REVIEW)
def review_queue(request: HttpRequest, assignment) -> HttpResponse:
    """The pairs waiting: only the legacy side and the scores (the person is shown pair by pair)."""
    pairs = [
        (link, jobs.comparisons_of(link.explanation))
        for link in selectors.review_queue(assignment=assignment, limit=QUEUE_SIZE)
    ]
    context = {
        "assignment": assignment,
        "pairs": pairs,
        "count": selectors.review_count(assignment=assignment),
    }
    return render(request, "migration/console_queue.html", context)


@data_engineer_required(REVIEW)
def review_pair(request: HttpRequest, assignment, link_id: int) -> HttpResponse:
    """GET: the pair side by side (audited). POST: the decision, then the next pair (an HTMX swap)."""
    if request.method == "POST":
        return _decide(request, assignment, link_id)
    try:
        link = selectors.review_pair(assignment=assignment, link_id=link_id)
    except NotFound as error:
        return _not_found(request, error.message)
    context = {"assignment": assignment, **_pair_context(link)}
    return render(request, "migration/console_pair.html", context)


def _decide(request: HttpRequest, assignment, link_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose accept or reject."), status=400)
    try:
        link = review.review_decide(assignment=assignment, link_id=link_id, **form.cleaned_data)
    except NotFound as error:
        return _not_found(request, error.message)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("legacy-console:queue")
    decided = _("Pair %(id)d accepted.") if link.status == "linked" else _("Pair %(id)d rejected.")
    return _next_pair(request, assignment, decided % {"id": link.pk})


def _next_pair(request: HttpRequest, assignment, decided: str) -> HttpResponse:
    """The next waiting pair: for HTMX its body (audited as shown) with the address pushed, else a
    redirect to it; the queue when none is left."""
    following = selectors.review_queue(assignment=assignment, limit=1).first()
    if not request.htmx:
        messages.success(request, decided)
        return (
            redirect("legacy-console:pair", following.pk) if following else redirect("legacy-console:queue")
        )
    if following is None:
        return render(request, "migration/console_pair_body.html", {"decided": decided, "empty": True})
    link = selectors.review_pair(assignment=assignment, link_id=following.pk)
    response = render(
        request, "migration/console_pair_body.html", {"decided": decided, **_pair_context(link)}
    )
    response["HX-Push-Url"] = reverse("legacy-console:pair", args=[link.pk])
    return response


def _pair_context(link) -> dict:
    record, person = link.staged_record, link.person
    outcomes = {c["name"]: c["outcome"] for c in jobs.comparisons_of(link.explanation)}
    identifiers = {
        kind: [i.value for i in person.identifiers.all() if i.kind == kind]
        for kind in ("cccd", "cmnd", "health_insurance", "phone")
    }
    rows = [
        ("name", _("Name"), record.full_name, person.full_name),
        (
            "birth",
            _("Birth date"),
            _birth(record),
            person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        ),
        ("sex", _("Sex"), record.sex, person.sex),
        ("phone", _("Phone"), record.phone, ", ".join(identifiers["phone"])),
        ("cccd", "CCCD", record.cccd, ", ".join(identifiers["cccd"])),
        ("cmnd", "CMND", record.cmnd, ", ".join(identifiers["cmnd"])),
        (
            "health_insurance",
            _("Health insurance"),
            record.health_insurance,
            ", ".join(identifiers["health_insurance"]),
        ),
        ("unit", _("Commune (2021 / 2025)"), _units(record), str(person.residence_unit)),
    ]
    return {
        "link": link,
        "record": record,
        "rows": [
            (key, label, left, right, outcomes.get(COMPARED.get(key, ""), ""))
            for key, label, left, right in rows
        ],
        "others": [c for c in jobs.comparisons_of(link.explanation) if c["name"] not in COMPARED.values()],
        "form": DecisionForm(),
    }


def _birth(record) -> str:
    """The date read (only its year when that is all the row gave) and the other reading of an ambiguous
    day/month."""
    if record.birth_date is None:
        return str(record.birth_year or "")
    shown = record.birth_date.strftime("%d/%m/%Y")
    if record.birth_alternative:
        shown += " " + _("(or %(day)s)") % {"day": record.birth_alternative.strftime("%d/%m/%Y")}
    return shown


def _units(record) -> str:
    return " / ".join(str(unit) if unit else "—" for unit in (record.unit_2021, record.unit_2025))
