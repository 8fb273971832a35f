"""The README stays true: it points only at files in the repository, and every benchmark figure in it
says when, on what machine and with which command it was measured."""

import re

from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
# Paths the README names in backticks or links, rooted at the top folders of the repository.
_ROOTS = ("netbuilder/", "bench/", "resources/", "tests/", "screenshots/", ".ci/")


def _benchmark_rows() -> list[str]:
    section = README.split("\n## Benchmarks", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `python bench/")]


def test_every_link_and_image_is_a_file_in_the_repository():
    targets = re.findall(r"\]\(([^)\s]+)\)", README)
    assert targets
    for target in targets:
        assert not target.startswith(("http:", "https:", "/", "..")), f"the README points outside the repository: {target}"
        assert (REPO / target.split("#", 1)[0]).exists(), f"the README links {target}, which does not exist"


def test_every_path_it_names_exists():
    named = {m for m in re.findall(r"`([\w./-]+)`", README) if m.startswith(_ROOTS) and "*" not in m}
    assert named
    missing = sorted(m for m in named if not (REPO / m.rstrip("/")).exists())
    assert missing == [], f"the README names files that are not in the repository: {missing}"


def test_every_benchmark_has_a_row_with_its_command_date_and_machine():
    rows = _benchmark_rows()
    scripts = sorted(p.name for p in (REPO / "bench").glob("bench_*.py"))
    assert sorted({re.match(r"\| `python bench/(\w+\.py)", row).group(1) for row in rows}) == scripts
    for row in rows:
        assert re.search(r"\b20\d\d-\d\d-\d\d\b", row), f"no date in: {row[:80]}"
        assert "cores" in row, f"no machine in: {row[:80]}"


def test_the_corpus_table_lists_every_architecture_and_refusal():
    from corpus import corpus
    from corpus.refusals import REFUSALS

    section = README.split("\n### The corpus", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)`", section, re.M))
    assert listed == {a.name for a in corpus()} | {r.name for r in REFUSALS}
