"""Every experiment is complete, and a missing piece is named: checked on the repository and on a
temporary copy with a toy experiment added (its own files only), then taken apart piece by piece."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from fprinciple import experiments
from fprinciple.config import SCHEMA, ConfigError, validate
from fprinciple.consistency import COMPLETE_CONFIGS, mentioned_ids, missing_pieces

from .conftest import ROOT, checkout_files


def test_repository_has_every_piece_of_every_experiment():
    ids = sorted(set(experiments.ids()) | mentioned_ids())
    assert missing_pieces(ids) == []


TOY_MODULE = {
    "PAPER_FIGURE": 'PAPER_FIGURE = "none: a toy experiment of the consistency test"\n',
    "dataset": 'def dataset(cfg):\n    return "none"\n',
    "runs": 'def runs(cfg):\n    return {f"seed-{s}": {"seed": s} for s in cfg["seeds"]}\n',
    "run": "def run(cfg, variant, ctx):\n    return None\n",
    "claims": "def claims(metrics, cfg):\n    return []\n",
}
TOY_FIGURE = "def figure(metrics, cfg):\n    return None\n"
TOY_SCHEMA = (
    'type: object\nadditionalProperties: false\nrequired: [seeds]\nproperties: {seeds: {$ref: "#/$defs/seeds"}}\n'
)
TOY_FILES = {
    "src/fprinciple/experiments/toy.py": '"""toy: an experiment of the consistency test."""\n\n'
    + "\n".join(TOY_MODULE.values()),
    "src/fprinciple/figures/toy.py": TOY_FIGURE,
    "workflow/report/toy.rst": "A toy experiment.\n",
    "workflow/schemas/experiments/toy.schema.yaml": TOY_SCHEMA,
    "docs/experiments/toy.md": "# toy\n",
}


@pytest.fixture(scope="module")
def toy_repo(tmp_path_factory) -> Path:
    """A copy of the checkout (tracked and new files) with the toy experiment added."""
    copy = tmp_path_factory.mktemp("repo")
    for relative in checkout_files():
        source = ROOT / relative
        if source.is_file():  # a file deleted in the working tree is still in the index
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / relative)
    for relative, text in TOY_FILES.items():
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (copy / relative).write_text(text)
    for relative, addition in (("docs/README.md", "\n- [toy](experiments/toy.md)\n"), ("README.md", "\n- `toy`\n")):
        path = copy / relative
        path.write_text((path.read_text() if path.exists() else "") + addition)
    for relative in COMPLETE_CONFIGS:
        path = copy / relative
        config = yaml.safe_load((path if path.exists() else copy / "config" / "config.yaml").read_text())
        config["experiments"]["toy"] = {"seeds": [0]}
        path.write_text(yaml.safe_dump(config, sort_keys=False))
    return copy


def test_toy_experiment_is_complete(toy_repo):
    assert missing_pieces(["toy"], toy_repo) == []


def test_toy_experiment_is_validated_by_its_own_schema_file(toy_repo):
    config = yaml.safe_load((toy_repo / "config" / "config.yaml").read_text())
    validate(config, toy_repo / SCHEMA.relative_to(ROOT))
    config["experiments"]["toy"]["seeds"] = []
    with pytest.raises(ConfigError, match=r"experiments\.toy\.seeds: needs at least 1 entry.*docs/experiments/toy\.md"):
        validate(config, toy_repo / SCHEMA.relative_to(ROOT))


def _without_module_attribute(name):
    return "src/fprinciple/experiments/toy.py", "\n".join(v for k, v in TOY_MODULE.items() if k != name)


def _without_config_block(relative):
    def edit(text):
        config = yaml.safe_load(text)
        del config["experiments"]["toy"]
        return yaml.safe_dump(config)

    return relative, edit


REMOVALS = [
    # (file, None = delete it / new text / a function of the old text, words the report must contain)
    ("src/fprinciple/experiments/toy.py", None, ["toy: no module src/fprinciple/experiments/toy.py"]),
    *[(*_without_module_attribute(a), [f"toy: src/fprinciple/experiments/toy.py defines no {a}"]) for a in TOY_MODULE],
    (
        "src/fprinciple/experiments/toy.py",
        'PAPER_FIGURE = "x"\ndataset = "none"\nruns = run = claims = None\n',
        ["dataset must be a function of the config, not a constant"],
    ),
    ("src/fprinciple/experiments/toy.py", "def broken(:\n", ["toy: src/fprinciple/experiments/toy.py does not parse"]),
    ("src/fprinciple/figures/toy.py", None, ["toy: no module src/fprinciple/figures/toy.py"]),
    (
        "src/fprinciple/figures/toy.py",
        "def plot(metrics, cfg):\n    return None\n",
        ["toy: src/fprinciple/figures/toy.py defines no figure"],
    ),
    ("workflow/report/toy.rst", None, ["toy: no caption workflow/report/toy.rst"]),
    (
        "workflow/schemas/experiments/toy.schema.yaml",
        None,
        ["toy: no schema workflow/schemas/experiments/toy.schema.yaml"],
    ),
    ("docs/experiments/toy.md", None, ["toy: no docs page docs/experiments/toy.md"]),
    ("docs/README.md", lambda text: text.replace("experiments/toy.md", ""), ["toy: docs/README.md has no link"]),
    ("README.md", lambda text: text.replace("`toy`", ""), ["toy: README.md does not name `toy`"]),
    *[(*_without_config_block(c), [f"toy: no block experiments.toy in {c}"]) for c in COMPLETE_CONFIGS],
    ("config/smoke.yaml", None, ["config/smoke.yaml is missing", "toy"]),
    ("config/paper.yaml", "experiments: [\n", ["config/paper.yaml cannot be read"]),
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
    """A schema file or docs page whose experiment has no module is still checked, and fails."""
    stray = toy_repo / "workflow" / "schemas" / "experiments" / "ghost.schema.yaml"
    stray.write_text(TOY_SCHEMA)
    try:
        assert "ghost" in mentioned_ids(toy_repo)
        assert "ghost: no module src/fprinciple/experiments/ghost.py" in missing_pieces(["ghost"], toy_repo)
    finally:
        stray.unlink()


DOCS = [ROOT / "README.md", ROOT / "config" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


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
