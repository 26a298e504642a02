"""The report's captions are valid reStructuredText: docutils reports nothing (a stray `|x|` is
an undefined substitution and shows up as an error box in the HTML report)."""

import io
import re
from pathlib import Path

import docutils.core
import pytest

from fprinciple import experiments as registry

from .conftest import ROOT

# The generic captions, and each experiment's own (its folder's caption.rst).
CAPTIONS = sorted((ROOT / "workflow" / "report").glob("*.rst")) + [
    registry.folder(experiment) / "caption.rst" for experiment in registry.ids()
]


def problems(text: str) -> str:
    """What docutils reports (warnings and errors) when it parses ``text``."""
    stream = io.StringIO()
    docutils.core.publish_doctree(
        text, settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": stream}
    )
    return stream.getvalue()


def test_problems_are_found():
    assert "Undefined substitution" in problems("ΔF = |ĥ − ŷ| / |ŷ|")
    assert problems("ΔF = ``|ĥ − ŷ| / |ŷ|``") == ""


@pytest.mark.parametrize("caption", CAPTIONS, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_caption_is_clean_restructuredtext(caption: Path):
    # The generic captions are Jinja templates: each placeholder renders to plain text.
    text = re.sub(r"\{\{.*?\}\}", "value", caption.read_text())
    assert problems(text) == ""


@pytest.mark.parametrize("experiment", registry.ids())
def test_paper_figure_is_clean_restructuredtext(experiment: str):
    # figure.rst writes each experiment's PAPER_FIGURE into its caption as it is.
    assert problems(registry.get(experiment).PAPER_FIGURE) == ""
