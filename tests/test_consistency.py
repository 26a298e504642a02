"""Every experiment is complete, and a missing piece is named: checked on the repository and on a
temporary copy with a toy experiment added by ``run.py new`` (fprinciple.scaffold), then taken
apart piece by piece."""

import re
import shutil
from pathlib import Path

import pytest

from fprinciple import experiments, scaffold
from fprinciple.config import SCHEMA, ConfigError, load_and_validate
from fprinciple.consistency import FOLDER, experiment_folders, missing_pieces

from .conftest import ROOT, checkout_files


def test_repository_has_every_piece_of_every_experiment():
    ids = sorted(set(experiments.ids()) | experiment_folders())
    assert ids == sorted(experiments.ids())
    assert missing_pieces(ids) == []


@pytest.fixture(scope="module")
def toy_repo(tmp_path_factory) -> Path:
    """A copy of the checkout (tracked and new files) with the toy experiment ``run.py new`` writes."""
    copy = tmp_path_factory.mktemp("repo")
    for relative in checkout_files():
        source = ROOT / relative
        if source.is_file():  # a file deleted in the working tree is still in the index
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / relative)
    scaffold.write("toy", copy / FOLDER)
    return copy


def test_toy_experiment_is_complete(toy_repo):
    assert missing_pieces(["toy"], toy_repo) == []


def test_toy_experiment_is_validated_by_its_own_schema_file(toy_repo):
    folder = toy_repo / FOLDER
    for scale in ("config", "paper", "smoke"):
        config = load_and_validate(
            [toy_repo / "config" / f"{scale}.yaml"], schema=toy_repo / SCHEMA.relative_to(ROOT), folder=folder
        )
        assert "toy" in config["experiments"]
    config["experiments"]["toy"]["seeds"] = []
    with pytest.raises(
        ConfigError, match=r"experiments\.toy\.seeds: needs at least 1 entry.*experiments/toy/README\.md"
    ):
        load_and_validate([toy_repo / "config" / "smoke.yaml"], config, toy_repo / SCHEMA.relative_to(ROOT), folder)


TOY = f"{FOLDER}/toy"
REMOVALS = [
    # (file, None = delete it / new text / a function of the old text, words the report must contain)
    (f"{TOY}/__init__.py", None, [f"toy: no module {TOY}/__init__.py"]),
    (
        f"{TOY}/__init__.py",
        lambda text: text.replace("PAPER_FIGURE =", "FIGURE ="),
        [f"toy: {TOY}/__init__.py defines no PAPER_FIGURE"],
    ),
    (
        f"{TOY}/__init__.py",
        'PAPER_FIGURE = "x"\ndataset = "none"\n',
        ["dataset must be a function of the config, not a constant"],
    ),
    (f"{TOY}/run.py", None, [f"toy: no module {TOY}/run.py"]),
    (f"{TOY}/run.py", lambda text: text.replace("runs = seed_jobs", ""), [f"toy: {TOY}/run.py defines no runs"]),
    (f"{TOY}/run.py", "def broken(:\n", [f"toy: {TOY}/run.py does not parse"]),
    (
        f"{TOY}/claims.py",
        lambda text: text.replace("def claims(", "def claim("),
        [f"toy: {TOY}/claims.py defines no claims"],
    ),
    (
        f"{TOY}/figure.py",
        lambda text: text.replace("def figure(", "def plot("),
        [f"toy: {TOY}/figure.py defines no figure"],
    ),
    (f"{TOY}/caption.rst", None, [f"toy: no caption {TOY}/caption.rst"]),
    (f"{TOY}/schema.yaml", None, [f"toy: no schema {TOY}/schema.yaml"]),
    (f"{TOY}/README.md", None, [f"toy: no docs page {TOY}/README.md"]),
    (f"{TOY}/config.yaml", None, [f"toy: no config {TOY}/config.yaml"]),
    (
        f"{TOY}/config.yaml",
        lambda text: text.replace("\npaper:", "\nlater:"),
        ["has no section paper:", "'later', which is not a scale"],
    ),
    (f"{TOY}/config.yaml", "quick: [\n", [f"toy: {TOY}/config.yaml cannot be read"]),
    (f"{TOY}/config.yaml", "- quick\n", ["is not a mapping of scale"]),
]


@pytest.mark.parametrize("relative,change,words", REMOVALS, ids=[f"{r[0]}:{r[2][0][:40]}" for r in REMOVALS])
def test_each_missing_piece_is_named(toy_repo, relative, change, words):
    path = toy_repo / relative
    original = path.read_text()
    try:
        if change is None:
            path.unlink()
        else:
            path.write_text(change(original) if callable(change) else change)
        problems = missing_pieces(["toy"], toy_repo)
    finally:
        path.write_text(original)
    assert len(problems) >= 1
    report = "\n".join(problems)
    for word in words:
        assert word in report, report
    assert missing_pieces(["toy"], toy_repo) == []  # restored


def test_orphans_are_found(toy_repo):
    """A folder with some of an experiment's files but no package is still checked, and fails."""
    stray = toy_repo / FOLDER / "ghost"
    stray.mkdir()
    (stray / "schema.yaml").write_text("type: object\n")
    try:
        assert "ghost" in experiment_folders(toy_repo)
        assert f"ghost: no module {FOLDER}/ghost/__init__.py" in missing_pieces(["ghost"], toy_repo)
    finally:
        shutil.rmtree(stray)


DOCS = [
    ROOT / "README.md",
    ROOT / "config" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted((ROOT / FOLDER).glob("*/README.md")),
]


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_docs_stay_inside_the_repository_and_their_links_resolve(page):
    text = page.read_text()
    assert "../shared" not in text and "shared/PAPERS" not in text
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.relative_to(ROOT)}: broken link {target}"
        assert ROOT in linked.parents or linked == ROOT, f"{page.relative_to(ROOT)}: {target} leaves the repository"
        if anchor:
            assert anchor in _anchors(linked.read_text()), f"{page.relative_to(ROOT)}: no heading for #{anchor}"


# What a user of the clone reads must not cite what the clone lacks: the project's specification
# documents ("seed 004 …"), a DESIGN.md, or data beside the checkout (only .ci/run, CI's own
# setup, points there).
OUTSIDE = re.compile(r"\.\./shared|\bseeds? 00\d\b|DESIGN\.md|build machines", re.IGNORECASE)
USER_READS = [
    *DOCS,
    *sorted((ROOT / "config").glob("*.yaml")),
    *sorted((ROOT / "workflow").rglob("*.rst")),
    *sorted((ROOT / "workflow" / "schemas").rglob("*.yaml")),
    *sorted((ROOT / FOLDER).glob("*/*.yaml")),
    *sorted((ROOT / FOLDER).glob("*/*.rst")),
    *sorted((ROOT / "src").rglob("*.py")),
    *sorted((ROOT / "examples").glob("*.py")),
    *sorted((ROOT / "benchmarks").glob("*.py")),
    *(p for p in sorted((ROOT / "tests").glob("*.py")) if p != Path(__file__)),
]


def test_nothing_a_user_reads_points_outside_the_repository():
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in USER_READS
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "\n".join(found)
