"""The Python API and the format registry."""

from __future__ import annotations

import io
import warnings

import pytest

import bibkit
from bibkit.formats import registry
from bibkit.formats.registry import FormatSpec
from conftest import AS_OF, SAMPLE_LISTING, SAMPLES

GOLDEN_BIBTEX = (SAMPLES / "listing/profile-listing.expected/bibtex.bib").read_text("utf-8")


def test_load_dump_round_trip_through_a_path_and_a_stream(tmp_path):
    lib = bibkit.load(SAMPLE_LISTING, as_of=AS_OF)
    assert len(lib) == 50 and lib.profile.name == "Bo Han"
    assert bibkit.dump(lib, "bibtex") == GOLDEN_BIBTEX
    target = tmp_path / "refs.bib"
    assert bibkit.dump(lib, "bibtex", target) is None
    assert target.read_text("utf-8") == GOLDEN_BIBTEX
    stream = io.StringIO()
    bibkit.dump(lib, "biblatex", stream, abstract=False)
    assert stream.getvalue().count("@") == 50


def test_convert_returns_text_or_writes(tmp_path):
    text = bibkit.convert(SAMPLE_LISTING, to="bibtex", as_of=AS_OF)
    assert text == GOLDEN_BIBTEX
    bibkit.convert(SAMPLE_LISTING, tmp_path / "out.bib", as_of=AS_OF)
    assert (tmp_path / "out.bib").read_text("utf-8") == GOLDEN_BIBTEX


def test_failed_dump_to_a_path_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    target.write_text("precious\n", encoding="utf-8")

    def broken(citations, out, ctx):
        out.write("partial")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(registry, "writer", lambda name: broken)
    with pytest.raises(RuntimeError):
        bibkit.dump([], "bibtex", target)
    assert target.read_text("utf-8") == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_loads_and_diagnostics():
    lib = bibkit.loads("GTJul 4, 2022\nTitle\n\nAnn Lee\n", "listing", as_of=AS_OF)
    assert [d.format() for d in lib.diagnostics] == [
        "<string>:1: warning[BK104] category code 'GT' is ambiguous (cs.GT, math.GT); "
        "kept as written, not as the entry's category"
    ]


def test_runtime_registration_wins_and_is_used_by_the_cli(cli):
    def write(citations, out, ctx):
        n = 0
        for c in citations:
            out.write(f"{c.key}\n")
            n += 1
        return n

    import sys
    import types

    module = types.ModuleType("bibkit_test_keys_writer")
    module.write = write
    sys.modules[module.__name__] = module
    try:
        registry.register(FormatSpec(name="keys", summary="one key a line",
                                     writer=f"{module.__name__}:write"))
        res = cli("convert", str(SAMPLE_LISTING), "--to", "keys", "--as-of", "2026-11-27")
        assert res.exit_code == 0
        assert res.stdout.splitlines()[:2] == ["zhu2023combating", "zhou2023strengthening"]
        assert "keys" in cli("formats").stdout
    finally:
        registry._runtime.pop("keys", None)
        registry._table.cache_clear()
        del sys.modules[module.__name__]


def test_broken_plugin_is_skipped_with_a_warning(monkeypatch):
    class BrokenEntryPoint:
        name, value = "broken", "nowhere:spec"

        def load(self):
            raise ImportError("no module named nowhere")

    class NotASpec:
        name, value = "odd", "x:y"

        def load(self):
            return object()

    monkeypatch.setattr(registry, "entry_points",
                        lambda group: [BrokenEntryPoint(), NotASpec()])
    registry._table.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = registry.formats()
        assert "broken" not in table and "listing" in table
        assert len(caught) == 2 and "plugin 'broken' skipped" in str(caught[0].message)
    finally:
        registry._table.cache_clear()


def test_every_builtin_target_imports():
    for spec in registry.formats().values():
        for target in (spec.reader, spec.writer, spec.sniff):
            if target:
                assert callable(registry.load_target(target)), target


def test_plugins_are_looked_for_only_for_names_that_are_not_built_in(monkeypatch):
    class PluginEntryPoint:
        name, value = "keys", "plugin:spec"

        def load(self):
            return FormatSpec(name="keylist", summary="keys", suffixes=(".keys",),
                              writer="bibkit.formats.writers.ris:write")

    asked: list[str] = []

    def entry_points(group):
        asked.append(group)
        return [PluginEntryPoint()]

    monkeypatch.setattr(registry, "entry_points", entry_points)
    registry._table.cache_clear()
    try:
        assert registry.get("bibtex", "write").name == "bibtex"
        assert registry.by_suffix("refs.bib", "write").name == "bibtex"
        assert asked == []  # built-ins are final: no plugin lookup at start-up
        assert registry.get("keylist", "write").name == "keylist"
        assert registry.by_suffix("refs.keys", "write").name == "keylist"
        assert asked == [registry.ENTRY_POINT_GROUP]
    finally:
        registry._table.cache_clear()
