"""`bibkit cv --format hugo --sync DIR`: Hugo Blox pages updated in place (cv/hugosync)."""

from __future__ import annotations

from pathlib import Path

PREPRINT = """@misc{zhu2023combating,
  author = {Zhu, Jianing and Han, Bo},
  title = {Combating Noisy Labels},
  year = {2023},
  eprint = {2303.01234}, eprinttype = {arxiv}, archivePrefix = {arXiv},
}
@article{doe2020other,
  author = {Doe, Jane and Han, Bo}, title = {Another Paper}, journal = {Nature},
  year = {2020}, doi = {10.1038/ABC123},
}
"""
PUBLISHED = """@inproceedings{zhu2024combating,
  author = {Zhu, Jianing and Han, Bo},
  title = {Combating Noisy Labels},
  booktitle = {International Conference on Learning Representations},
  year = {2024},
  eprint = {2303.01234}, eprinttype = {arxiv},
}
"""


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _sync(cli, tmp_path: Path, text: str, *more: str):
    src = tmp_path / "in.bib"
    src.write_text(text, encoding="utf-8")
    return cli("cv", str(src), "--format", "hugo", "--sync", str(tmp_path / "pub"),
               "--as-of", "2026-11-27", *more)


def test_sync_twice_touches_nothing(cli, tmp_path):
    assert _sync(cli, tmp_path, PREPRINT).exit_code == 0
    first = _files(tmp_path)
    assert sorted(first) == [".pub.bibkit", "in.bib", "pub/doe2020other/cite.bib",
                             "pub/doe2020other/index.md", "pub/zhu2023combating/cite.bib",
                             "pub/zhu2023combating/index.md"]
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "pub").rglob("*")}
    res = _sync(cli, tmp_path, PREPRINT)
    assert res.exit_code == 0 and _files(tmp_path) == first
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "pub").rglob("*")} == mtimes


def test_the_users_fields_edits_and_text_stay_and_the_rest_follows_the_run(cli, tmp_path):
    assert _sync(cli, tmp_path, PREPRINT).exit_code == 0
    page = tmp_path / "pub/doe2020other/index.md"
    edited = (page.read_text("utf-8")
              .replace('title: "Another Paper"', 'title: "Another Paper, Revised"')
              .replace("featured: false", 'featured: false\nimage:\n  caption: "Figure 1"')
              + "\nWhat this paper is about, in my words.\n")
    page.write_text(edited, encoding="utf-8")
    res = _sync(cli, tmp_path, PREPRINT.replace("Doe, Jane", "Doe, Janet"))
    assert res.exit_code == 0, res.stderr
    text = page.read_text("utf-8")
    assert 'title: "Another Paper, Revised"' in text  # the user's edit
    assert 'authors: ["Janet Doe", "Bo Han"]' in text  # the run's, untouched by the user
    assert 'image:\n  caption: "Figure 1"\n' in text and text.endswith("in my words.\n")
    assert "BK412" not in res.stderr  # the run did not change the title: nothing to say
    res = _sync(cli, tmp_path, PREPRINT.replace("Another Paper", "Another Paper (Long)"))
    assert "[BK412]" in res.stderr and "kept: title" in res.stderr
    assert 'title: "Another Paper, Revised"' in page.read_text("utf-8")


def test_a_preprints_page_takes_its_published_version(cli, tmp_path):
    assert _sync(cli, tmp_path, PREPRINT).exit_code == 0
    res = _sync(cli, tmp_path, PUBLISHED)
    assert res.exit_code == 0, res.stderr
    folders = sorted(p.name for p in (tmp_path / "pub").iterdir())
    assert folders == ["doe2020other", "zhu2023combating"]  # no second page, none removed
    text = (tmp_path / "pub/zhu2023combating/index.md").read_text("utf-8")
    assert 'publication_types: ["paper-conference"]' in text
    assert "International Conference on Learning Representations" in text


def test_a_page_bibkit_cannot_read_and_an_edited_cite_bib_are_kept(cli, tmp_path):
    assert _sync(cli, tmp_path, PREPRINT).exit_code == 0
    toml = tmp_path / "pub/doe2020other/index.md"
    toml.write_text('+++\ntitle = "Mine"\n+++\n', encoding="utf-8")
    cite = tmp_path / "pub/zhu2023combating/cite.bib"
    cite.write_text(cite.read_text("utf-8").replace("Combating", "Combatting"), "utf-8")
    res = _sync(cli, tmp_path, PREPRINT.replace("Doe, Jane", "Doe, Janet"))
    assert toml.read_text("utf-8") == '+++\ntitle = "Mine"\n+++\n'
    assert "Combatting" in cite.read_text("utf-8")
    assert res.stderr.count("[BK412]") == 2
