"""Linkage of staged legacy records to the register: speed, peak memory and accuracy at scale.

Data: a demo city of `--people` residents (the register), the legacy extracts of as many of them as give
about `--records` staged records (`legacy generate`, every fault of the 2021 sources), imported. That
state is built once per size in a work folder and copied back before each measured run, so both runs
start from the same unlinked staging table.

Measured, each in a fresh process (so its peak memory is its own, DuckDB's included):
- baseline: deterministic ID-only linking (`linking.link_deterministic`): what a verified CCCD/CMND or a
  health-insurance card can link;
- pccovid: the same, then the probabilistic step (`probabilistic.link_probabilistic`) on what is left.
Both are scored against the generator's truth file (never read by the pipeline). Targets (issue 7): at
1,000,000 records against 1,000,000 people, under 3 minutes and 6 GB, precision >= 99.9%, recall >=
99.5%. Run through `benchmarks/run.py --only linkage`.
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RECORDS_PER_PERSON = 3.8  # what the generator writes per person on average (measured; only sizes the run)
TARGET = {"seconds": 180, "peak_gb": 6, "precision": 0.999, "recall": 0.995}
MARKS = ("<!-- bench:linkage:start -->", "<!-- bench:linkage:end -->")
STEP_CODE = """
import json, resource, sys, time
import django
django.setup()
from pathlib import Path
from pccovid.migration import linking, probabilistic
from pccovid.migration.formats import SOURCES
started = time.perf_counter()
deterministic = linking.link_deterministic()
run = probabilistic.link_probabilistic() if sys.argv[1] == "all" else None
seconds = time.perf_counter() - started
score = linking.links_evaluate(truth=Path(sys.argv[2]))
# Bluezone rows carry a phone and nothing else: scored apart (see docs/linkage.md).
parts = [linking.links_evaluate(truth=Path(sys.argv[2]), source=s) for s in SOURCES if s != "bluezone"]
hits = sum(e.recall * e.pairs for e in parts)
made = sum(e.recall * e.pairs / e.precision for e in parts if e.precision)
print(json.dumps({
    "identity_precision": hits / made if made else 0.0,
    "identity_recall": hits / sum(e.pairs for e in parts),
    "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "considered": deterministic.considered, "deterministic": deterministic.total_linked,
    "probabilistic": run.linked if run else 0, "review": score.review,
    "precision": score.precision, "recall": score.recall, "note": run.note if run else "",
}))
"""


@dataclass(frozen=True)
class Workspace:
    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / "pccovid.sqlite3"

    @property
    def seeded(self) -> Path:
        return self.folder / "seeded.sqlite3"

    @property
    def staged(self) -> Path:
        return self.folder / "staged.sqlite3"

    @property
    def legacy(self) -> Path:
        return self.folder / "legacy"

    def env(self, *, debug: bool = False) -> dict[str, str]:
        """The measured steps run with DEBUG off, as deployed (Django's debug cursor formats every query it
        runs); the setup needs it on (`seed_demo` creates logins with published passwords)."""
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        src = str(Path(__file__).resolve().parents[1] / "src")
        return env | {"PCCOVID_VAR_DIR": str(self.folder), "DJANGO_SETTINGS_MODULE": "pccovid.settings",
                      "PYTHONPATH": src, "DEBUG": "1" if debug else "0",
                      "SECRET_KEY": "benchmark-only"}  # fmt: skip


def pccovid(workspace: Workspace, *args: str, debug: bool = False) -> None:
    subprocess.run([sys.executable, "-m", "django", *args], env=workspace.env(debug=debug), check=True)


def prepare(workspace: Workspace, people: int, records: int, seed: int) -> None:
    """Seed and generate once (`seeded` copy), import once (`staged` copy); later runs reuse them."""
    if workspace.staged.exists():
        print(f"reusing {workspace.staged}", flush=True)
        return
    if workspace.seeded.exists():
        shutil.copyfile(workspace.seeded, workspace.database)
        pccovid(workspace, "migrate", "-v0")  # the copy may predate a migration
    else:
        seed_and_generate(workspace, people, records, seed)
    sources = json.loads(
        subprocess.run(
            [sys.executable, "-c", "import json; from pccovid.migration.formats import SOURCES; "
             "print(json.dumps({s: e.file_name for s, e in SOURCES.items()}))"],
            env=workspace.env(), check=True, capture_output=True, text=True,
        ).stdout
    )  # fmt: skip
    for source, file_name in sources.items():
        print(f"setup: legacy import {source}", flush=True)
        pccovid(workspace, "legacy_import", source, str(workspace.legacy / file_name), "--no-progress")
    shutil.copyfile(workspace.database, workspace.staged)


def seed_and_generate(workspace: Workspace, people: int, records: int, seed: int) -> None:
    """A demo city of `people`, the 2021 administrative tree (for old addresses), and the extracts of as
    many people as give about `records` records."""
    workspace.folder.mkdir(parents=True, exist_ok=True)
    workspace.database.unlink(missing_ok=True)
    legacy_people = min(people, max(1, round(records / RECORDS_PER_PERSON)))
    steps = [
        ("migrate", "-v0"),
        ("seed_demo", "--people", str(people), "--seed", str(seed), "--no-progress"),
        ("geo_load_units", "--edition", "2021", "--succession", "--no-progress"),
        ("legacy_generate", "--people", str(legacy_people), "--seed", str(seed), "--out",
         str(workspace.legacy), "--no-progress"),
    ]  # fmt: skip
    for step in steps:
        print(f"setup: {' '.join(step)}", flush=True)
        pccovid(workspace, *step, debug=True)
    shutil.copyfile(workspace.database, workspace.seeded)


def measure(workspace: Workspace, step: str) -> dict:
    for leftover in ("-wal", "-shm"):  # a killed run's journal would be replayed onto the fresh copy
        workspace.database.with_name(workspace.database.name + leftover).unlink(missing_ok=True)
    shutil.copyfile(workspace.staged, workspace.database)
    pccovid(workspace, "migrate", "-v0")  # the code may have new migrations or rule versions since
    truth = workspace.legacy / "truth.csv"
    done = subprocess.run(
        [sys.executable, "-c", STEP_CODE, step, str(truth)],
        env=workspace.env(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(*, people: int, records: int, seed: int, work: Path | None) -> dict:
    workspace = Workspace(work or Path(f"/tmp/pccovid-bench-linkage-{people}-{records}-{seed}"))
    prepare(workspace, people, records, seed)
    baseline = measure(workspace, "deterministic")
    print(f"baseline: {baseline}", flush=True)
    full = measure(workspace, "all")
    print(f"pccovid: {full}", flush=True)
    return {"people": people, "records": baseline["considered"], "baseline": baseline, "pccovid": full}


def section(results: list[dict], machine: str, day: str) -> str:
    lines = [
        MARKS[0],
        "## Legacy linkage (issue 7)",
        "",
        f"Measured on {day}, {machine}, SQLite, `benchmarks/run.py --only linkage` (`make bench-linkage`).",
        "Staged records (cleaned, from `legacy generate` + `legacy import`) to links, each run in a fresh "
        "process from the same staged copy. Baseline: deterministic ID-only linking. Targets at 1,000,000 x "
        "1,000,000: < 180 s, < 6 GB, precision >= 0.999, recall >= 0.995.",
        "",
        "| register | staged records | run | seconds | x baseline | peak MB | precision | recall "
        "| without Bluezone: precision | recall | review |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        base = r["baseline"]["seconds"]
        for name in ("baseline", "pccovid"):
            m = r[name]
            ratio = m["seconds"] / base
            lines.append(
                f"| {r['people']:,} | {r['records']:,} | {name} | {m['seconds']:.1f} | {ratio:.1f} "
                f"| {m['peak_mb']:,.0f} | {m['precision']:.4f} | {m['recall']:.4f} "
                f"| {m['identity_precision']:.4f} | {m['identity_recall']:.4f} | {m['review']:,} |"
            )
    lines += ["", MARKS[1]]
    return "\n".join(lines)


def write_doc(doc: Path, results: list[dict]) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    text = doc.read_text(encoding="utf-8")
    new = section(results, machine, time.strftime("%Y-%m-%d"))
    if MARKS[0] in text:
        head, rest = text.split(MARKS[0], 1)
        text = head + new + rest.split(MARKS[1], 1)[1]
    else:
        text = text.rstrip() + "\n\n" + new + "\n"
    doc.write_text(text, encoding="utf-8")
