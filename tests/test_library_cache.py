"""The compiled-library cache: used when the library did not change, never when it did, and a damaged or
tampered-with cache file is rebuilt silently."""
from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from agreement_engine import library_cache, templating
from agreement_engine import lint as lint_module
from agreement_engine.errors import LibraryError
from agreement_engine.i18n import language
from agreement_engine.library import DirectoryLoader, Library
from agreement_engine.lint import lint
from agreement_engine.resources import clause_library_dir, example_path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """Return an empty cache folder that the engine uses for this test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(library_cache.DISABLE, raising=False)
    return tmp_path / "cache" / "agreement-engine"


@pytest.fixture
def folder(tmp_path) -> Path:
    """Return a copy of the installed clause library that a test may change."""
    return Path(shutil.copytree(clause_library_dir(), tmp_path / "library"))


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("library-*.pickle"))


def test_a_second_load_comes_from_the_cache_and_equals_the_first(cache, folder, monkeypatch):
    first = DirectoryLoader(folder).load()
    assert len(cache_files(cache)) == 1
    monkeypatch.setattr("agreement_engine.library.MemoryLoader.load", lambda self: pytest.fail("built again"))
    second = DirectoryLoader(folder).load()
    assert second == first and second is not first


def test_a_changed_clause_is_a_new_key_and_is_read_anew(cache, folder):
    before = DirectoryLoader(folder).load()
    clause = sorted((folder / "clauses").glob("*.yaml"))[0]
    text = clause.read_text(encoding="utf-8")
    old = before.clauses[0].title if before.clauses[0].file.endswith(clause.name) else None
    clause.write_text(text.replace("title: ", "title: Gewijzigd ", 1), encoding="utf-8")
    after = DirectoryLoader(folder).load()
    assert len(cache_files(cache)) == 2
    assert after.content_hash != before.content_hash
    changed = next(c for c in after.clauses if c.file.endswith(clause.name))
    assert changed.title.startswith("Gewijzigd ") and changed.title != old


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "garbage", "other object", "writable by others"])
def test_a_damaged_or_tampered_cache_is_rebuilt_silently(cache, folder, damage):
    fresh = DirectoryLoader(folder).load()
    path, = cache_files(cache)
    data = path.read_bytes()
    if damage == "flip a byte":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a cache")
    elif damage == "other object":  # a well-formed file that does not hold a library
        payload = pickle.dumps({"name": "nep"})
        path.write_bytes(library_cache._MAGIC + library_cache.hashlib.sha256(payload).hexdigest().encode()
                         + b"\n" + payload)
    else:
        os.chmod(path, 0o666)
    assert not isinstance(library_cache._read(path), Library)
    again = DirectoryLoader(folder).load()
    assert isinstance(again, Library) and again == fresh
    rewritten, = cache_files(cache)
    assert library_cache._read(rewritten) == fresh  # and the cache is whole again


def test_a_broken_library_is_never_cached(cache, folder):
    (folder / "library.yaml").write_text("name: [\n", encoding="utf-8")
    with pytest.raises(Exception, match="YAML"):
        DirectoryLoader(folder).load()
    assert cache_files(cache) == []


def test_the_cache_can_be_turned_off(cache, folder, monkeypatch):
    monkeypatch.setenv(library_cache.DISABLE, "1")
    assert isinstance(DirectoryLoader(folder).load(), Library)
    assert not cache.exists()


def test_an_unwritable_cache_folder_is_skipped(tmp_path, folder, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.delenv(library_cache.DISABLE, raising=False)
    assert isinstance(DirectoryLoader(folder).load(), Library)


def test_the_test_run_never_caches_in_the_home_folder():
    assert not library_cache.cache_dir().is_relative_to(Path.home() / ".cache")


@pytest.fixture
def compiled(cache, monkeypatch):
    """Return a fresh store of compiled Jinja code that this test's cache folder keeps."""
    store = fresh_store()
    monkeypatch.setattr(templating, "_COMPILED", store)
    return store


def fresh_store() -> library_cache.Store:
    """Return the store of compiled Jinja code as a new process finds it."""
    return library_cache.Store("templates", templating._COMPILED.version, templating._COMPILED.fits)


TEXT = "{{ name }} betaalt {{ amount | money }}{% if late %}, te laat{% endif %}"
CONDITION = "amount > 10 and name in ['A', 'B']"
CONTEXT = {"name": "A", "amount": 12, "late": True}


def test_compiled_clause_code_is_kept_and_the_next_run_needs_no_compiling(compiled, cache, monkeypatch):
    first = templating.Templates()
    expected = first.render(TEXT, CONTEXT), first.evaluate(CONDITION, CONTEXT)
    compiled.save()
    assert len(list(cache.glob("templates-*.marshal"))) == 1
    monkeypatch.setattr(templating, "_COMPILED", fresh_store())  # the next run
    second = templating.Templates()
    monkeypatch.setattr(second.env, "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert (second.render(TEXT, CONTEXT), second.evaluate(CONDITION, CONTEXT)) == expected


def test_kept_code_behaves_as_freshly_compiled_code(compiled):
    """Errors keep their meaning: a missing value, a broken condition, the sandbox."""
    templating.Templates().render(TEXT, CONTEXT)
    compiled.save()
    kept = templating.Templates()
    for source, context, message in [(TEXT, {"amount": 1}, "onbekende waarde"),
                                     ("{{ name.__class__ }}", {"name": "x"}, "onbekende waarde|sandbox")]:
        with pytest.raises(LibraryError, match=message):
            kept.render(source, context)
    with pytest.raises(LibraryError, match="geen geldige expressie"):
        kept.evaluate("amount >", CONTEXT)
    assert kept.evaluate("amount", CONTEXT) == 12


def test_code_compiled_with_other_filters_is_not_reused(compiled, monkeypatch):
    templating.Templates().render(TEXT, CONTEXT)
    other = templating.Templates()
    other.env.filters["money"] = lambda value: f"EUR {value}"
    other._fingerprint = templating._fingerprint(other.env)
    assert other.render(TEXT, CONTEXT) == "A betaalt EUR 12, te laat"


@pytest.mark.parametrize("damage", ["flip a byte", "garbage", "writable by others"])
def test_damaged_compiled_code_is_compiled_again(compiled, cache, monkeypatch, damage):
    expected = templating.Templates().render(TEXT, CONTEXT)
    compiled.save()
    path, = cache.glob("templates-*.marshal")
    data = path.read_bytes()
    if damage == "flip a byte":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "garbage":
        path.write_bytes(b"not a cache")
    else:
        os.chmod(path, 0o666)
    kept = next(iter(compiled._values))
    assert compiled.get(kept) is not None and fresh_store().get(kept) is None
    monkeypatch.setattr(templating, "_COMPILED", fresh_store())
    assert templating.Templates().render(TEXT, CONTEXT) == expected


def fresh_reads() -> library_cache.Store:
    """Return the store of what texts read as a new process finds it."""
    return library_cache.Store("reads", templating._READS.version, templating._READS.fits)


KEPT_TEXT = "{{ party('a').name }} en {{ ref('x') }}{% if late %}, te laat{% endif %}"
DRAWN_TEXT = "{{ [name, amount] | random }}"


def test_what_a_text_reads_is_kept_and_the_next_run_parses_nothing(cache, monkeypatch):
    """A one-document render would otherwise parse every text once more to learn the names it reads."""
    monkeypatch.setattr(templating, "_READS", fresh_reads())
    first = templating.Templates()
    expected = {source: (first.memo_names(source), first.only_called(source))
                for source in (TEXT, KEPT_TEXT, DRAWN_TEXT)}
    assert expected[KEPT_TEXT] == (("late", "party", "ref"), frozenset({"party", "ref"}))
    assert expected[DRAWN_TEXT][0] is None  # never kept: it draws at random
    templating._READS.save()
    monkeypatch.setattr(templating, "_READS", fresh_reads())  # the next run
    second = templating.Templates()
    monkeypatch.setattr(second.env, "parse", lambda *a, **k: pytest.fail("parsed again"))
    assert {source: (second.memo_names(source), second.only_called(source)) for source in expected} == expected


def test_what_a_text_reads_is_worked_out_again_when_the_pure_filters_differ(cache, monkeypatch):
    """A filter counted as pure in one engine and not in another gives each its own answer."""
    monkeypatch.setattr(templating, "_READS", fresh_reads())
    source = "{{ amount | round }}"
    assert templating.Templates().memo_names(source) == ("amount",)
    monkeypatch.setattr(templating, "_PURE_JINJA_FILTERS", templating._PURE_JINJA_FILTERS - {"round"})
    assert templating.Templates().memo_names(source) is None


def test_lint_of_an_unchanged_library_is_read_from_the_cache(cache, folder, monkeypatch):
    clause = sorted((folder / "clauses").glob("*.yaml"))[1]
    clause.write_text(clause.read_text(encoding="utf-8") + "\nuses: [Onbekend Begrip]\n", encoding="utf-8")
    first = lint(DirectoryLoader(folder))
    assert any("Onbekend Begrip" in p.message for p in first)
    monkeypatch.setattr("agreement_engine.lint._lint_library", lambda library: pytest.fail("linted again"))
    assert lint(DirectoryLoader(folder)) == first


def test_lint_runs_again_when_an_example_or_the_language_changed(cache, folder, monkeypatch, tmp_path):
    first = lint(DirectoryLoader(folder))
    runs = []
    original = lint_module._lint_library
    monkeypatch.setattr(lint_module, "_lint_library", lambda library: runs.append(1) or original(library))
    with language("en"):
        lint(DirectoryLoader(folder))
    examples = Path(shutil.copytree(example_path().parent, tmp_path / "examples"))
    monkeypatch.setattr(lint_module, "example_path", lambda name="dak-en-thuis": examples / f"{name}.json")
    (examples / "dak-en-thuis.json").write_text("{}", encoding="utf-8")  # every witness on it now fails
    again = lint(DirectoryLoader(folder))
    assert len(runs) == 2 and again != first and any("dak-en-thuis" in p.message for p in again)


def test_after_a_change_lint_reads_only_the_changed_texts_again(cache, folder, monkeypatch):
    monkeypatch.setattr(lint_module, "_READINGS", library_cache.Store("lint-readings", "test", lint_module._READINGS.fits))
    clause = next(path for path in sorted((folder / "clauses").glob("*.yaml")) if "text: >-\n" in path.read_text("utf-8"))
    text = clause.read_text(encoding="utf-8")
    clause.write_text(text.replace("text: >-\n", "text: >-\n      {{ onbekend_ding }} {{ ref('nergens') }}\n", 1),
                      encoding="utf-8")
    first = lint(DirectoryLoader(folder))
    assert {"onbekende variabele 'onbekend_ding' in tekst", "verwijzing naar onbekend label 'nergens'"} <= {
        p.message for p in first}
    lint_module._READINGS.save()
    monkeypatch.setattr(lint_module, "_READINGS", library_cache.Store("lint-readings", "test", lint_module._READINGS.fits))
    parsed = []
    original = lint_module.make_environment

    def counting_environment(*args):
        env = original(*args)
        parse = env.parse
        env.parse = lambda source, *a, **k: parsed.append(source) or parse(source, *a, **k)
        return env

    monkeypatch.setattr(lint_module, "make_environment", counting_environment)
    meta = folder / "library.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version:", "version: 9", 1), encoding="utf-8")
    assert sorted(map(str, lint(DirectoryLoader(folder)))) == sorted(map(str, first))
    assert parsed == []  # nothing changed in a clause: every text was read from the cache
    clause.write_text(clause.read_text(encoding="utf-8").replace("onbekend_ding", "ander_ding"), encoding="utf-8")
    assert "onbekende variabele 'ander_ding' in tekst" in {p.message for p in lint(DirectoryLoader(folder))}
    assert parsed[0].startswith("{{ ander_ding }}") and len(parsed) <= 2  # the changed text (and its repeat)


def test_old_cache_files_of_one_kind_are_removed_beyond_the_limit(cache, monkeypatch):
    monkeypatch.setattr(library_cache, "KEEP", 3)
    cache.mkdir(parents=True, mode=0o700)
    other = cache / "templates-0.marshal"
    other.write_bytes(b"another kind")
    for i in range(6):
        library_cache._write(cache / f"lint-{i}.pickle", [i])
        os.utime(cache / f"lint-{i}.pickle", ns=(i * 10**9, i * 10**9))
    assert sorted(p.name for p in cache.glob("lint-*")) == ["lint-3.pickle", "lint-4.pickle", "lint-5.pickle"]
    assert other.exists() and library_cache._read(cache / "lint-5.pickle") == [5]
