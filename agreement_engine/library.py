"""The clause library: clause files on disk (or in memory) become checked, immutable Clause objects.

A loader has one job, ``load() -> Library``; :class:`DirectoryLoader` reads ``clause_library/`` and
:class:`MemoryLoader` serves tests from a dict of file texts. Every structural problem is a
:class:`~agreement_engine.errors.LibraryError` that names the file, the line and the clause.

A library may carry its own answer-set schema (:data:`SCHEMA_FILE`), the shipped schema with sections and
fields added for its clauses; an Engine with that library validates and assembles with it.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol

from agreement_engine import lazy, library_cache
from agreement_engine.errors import LibraryError
from agreement_engine.i18n import _
from agreement_engine.phrases import Phrases
from agreement_engine.resources import AnswerSchema, clause_library_dir, load_schema
from agreement_engine.schema import broken_refs, fields_missing

# Needed only to build a library, not to take a built one from the compiled-library cache.
yaml = lazy.module("yaml")
jsonschema = lazy.module("jsonschema")
jsonschema_exceptions = lazy.module("jsonschema.exceptions")

#: Labels of the annexes that assembly builds from the answer set (not from clause files).
ANNEX_LABELS = ("bijlage.meerjarenplan", "bijlage.verdeelsleutel", "bijlage.voorwaarden", "bijlage.contactpersonen",
                 "bijlage.reglement")
#: Where a library carries its own answer-set schema, relative to the library's folder.
SCHEMA_FILE = "schemas/answer-set.schema.json"


@dataclass(frozen=True)
class ItemSpec:
    """One list item (a., b., ...) of a member as written in the library, with the condition that includes it.

    With ``repeat`` (an expression giving a list) and ``alias`` the item stands for one item per element.
    """

    text: str
    when: str | None
    line: int
    repeat: str | None = None
    alias: str | None = None


@dataclass(frozen=True)
class MemberSpec:
    """One member (lid) as written in the library, before rendering."""

    text: str
    label: str | None
    when: str | None
    repeat: str | None
    alias: str | None
    items: tuple[ItemSpec, ...]
    line: int


@dataclass(frozen=True)
class Witness:
    """The answers that select a variant: an example answer set (``base``, a name in examples/) with
    ``changes`` (dotted answer path -> value; a number in a path is a list index) and ``remove`` (paths taken
    out) applied, and words the rendered agreement must then show. Lint and the tests read it."""

    base: str
    changes: tuple[tuple[str, object], ...]
    remove: tuple[str, ...]
    shows: tuple[str, ...]
    line: int

    @staticmethod
    def split(path: str) -> list[str | int]:
        """Return a dotted witness path as a JSON path: ``"parties.1.kvk"`` -> ``["parties", 1, "kvk"]``."""
        return [int(part) if part.isdigit() else part for part in path.split(".")]

    def apply(self, answers: dict) -> dict:
        """Return a copy of ``answers`` (the base example) with the witness's changes and removals applied.

        An object missing on the way is created (an optional section the example leaves out); setting the
        index one past the end of a list appends to it.
        """
        result = copy.deepcopy(answers)
        for path, value in self.changes:
            *parents, last = self.split(path)
            node = result
            for part in parents:
                node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
            if isinstance(node, list) and last == len(node):
                node.append(copy.deepcopy(value))
            else:
                node[last] = copy.deepcopy(value)
        for path in self.remove:
            *parents, last = self.split(path)
            node = result
            for part in parents:
                node = node[part]
            del node[last]
        return result


@dataclass(frozen=True)
class Variant:
    """One variant of a clause: the condition that selects it, what it means, its members and its witness."""

    id: str
    when: str | None
    summary: str
    attention: tuple[str, ...]
    members: tuple[MemberSpec, ...]
    line: int
    witness: Witness | None = None


@dataclass(frozen=True)
class Definition:
    """A defined term a clause introduces, with its (template) definition."""

    term: str
    definition: str
    line: int


@dataclass(frozen=True)
class Clause:
    """One clause file: identity, version, place in the agreement, variants, terms and labels."""

    id: str
    version: str
    status: str
    title: str
    kind: str
    position: int
    topic: str | None
    include: str | None
    parameters: tuple[str, ...]
    defines: tuple[Definition, ...]
    uses: tuple[str, ...]
    variants: tuple[Variant, ...]
    file: str
    content_hash: str
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    @property
    def labels(self) -> frozenset[str]:
        """Return every label this clause can provide: its id and its members' labels."""
        return frozenset({self.id} | {m.label for v in self.variants for m in v.members if m.label})

    def line_of(self, key: str) -> int:
        """Return the line of a top-level key in the clause file (1 when unknown)."""
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Library:
    """The whole clause library: its name, version, topics and clauses in agreement order."""

    name: str
    version: str
    topics: Mapping[str, str]
    clauses: tuple[Clause, ...]
    content_hash: str
    phrases: Mapping[str, Phrases] = field(default_factory=dict)
    #: The library's own answer-set schema (:data:`SCHEMA_FILE`); None: the shipped one.
    answer_schema: AnswerSchema | None = None

    def phrases_for(self, language: str) -> Phrases:
        """Return the fixed wording of documents in ``language``; raise LibraryError when the library has none."""
        try:
            return self.phrases[language]
        except KeyError:
            raise LibraryError(_("de bibliotheek heeft geen vaste tekst voor de taal '{language}'").format(
                language=language), file=f"phrases/{language}.yaml") from None

    def get(self, clause_id: str) -> Clause:
        """Return the clause with ``clause_id``; raise LibraryError when there is none."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise LibraryError(_("geen clausule met id '{id}'").format(id=clause_id))

    @property
    def labels(self) -> frozenset[str]:
        """Return every label a clause or annex may refer to."""
        return frozenset(ANNEX_LABELS).union(*(c.labels for c in self.clauses))

    def by_topic(self, topic: str) -> list[Clause]:
        """Return the clauses of ``topic`` (usually one)."""
        return [c for c in self.clauses if c.topic == topic]


class LibraryLoader(Protocol):
    """What assembly needs from a clause library: a way to load it."""

    def load(self) -> Library:
        """Return the library, checked for structure."""


@functools.cache
def _line_loader() -> type:
    """Return a safe YAML loader (libyaml's when present: 10x faster) that remembers the line of every mapping
    (key ``__line__``) and of every key (``__lines__``)."""
    loader = type("_LineLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return loader


def _construct_mapping(loader: Any, node: Any) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
    return mapping


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _load_yaml(text: str, file: str) -> object:
    """Return the YAML ``text`` with the line of every mapping; raise LibraryError naming file and line."""
    try:
        return yaml.load(text, Loader=_line_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LibraryError(_("geen geldige YAML: {reason}").format(reason=getattr(exc, 'problem', exc)), file=file,
                           line=mark.line + 1 if mark else None) from exc


def _check_schema(schema: str, raw: dict, plain: dict, file: str, clause_id: str | None = None) -> None:
    """Raise LibraryError at the first place (by path) where ``plain`` breaks ``schemas/<schema>.schema.json``."""
    validator = jsonschema.Draft202012Validator(load_schema(schema))
    for error in sorted(validator.iter_errors(plain), key=lambda e: list(e.absolute_path)):
        node = raw
        for part in error.absolute_path:
            child = node[part] if isinstance(node, dict | list) else None
            if isinstance(child, dict | list):
                node = child
        line = node.get("__line__") if isinstance(node, dict) else None
        where = "/".join(str(p) for p in error.absolute_path) or _("(bestand)")
        raise LibraryError(f"{where}: {error.message}", file=file, clause=clause_id, line=line)


def parse_phrases(text: str, file: str) -> Phrases:
    """Parse and check one phrases file (``phrases/<language>.yaml``); raise LibraryError naming file and line."""
    raw = _load_yaml(text, file)
    if not isinstance(raw, dict):
        raise LibraryError(_("een bestand met vaste tekst moet een YAML-mapping zijn"), file=file)
    plain = _strip_lines(raw)
    _check_schema("phrases", raw, plain, file)
    language = file.rsplit("/", 1)[-1].removesuffix(".yaml")
    if plain["language"] != language:
        raise LibraryError(_("de taal '{language}' hoort in phrases/{language}.yaml").format(
            language=plain["language"]), file=file, line=raw["__lines__"].get("language"))
    return Phrases.from_tree(language, file, plain["phrases"])


def parse_clause(text: str, file: str) -> Clause:
    """Parse and check one clause file's text; raise LibraryError naming file and line."""
    raw = _load_yaml(text, file)
    if not isinstance(raw, dict):
        raise LibraryError(_("een clausulebestand moet een YAML-mapping zijn"), file=file)
    plain = _strip_lines(raw)
    clause_id = plain.get("id") if isinstance(plain.get("id"), str) else None
    _check_schema("clause", raw, plain, file, clause_id)

    def member(m: dict) -> MemberSpec:
        return MemberSpec(text=m["text"], label=m.get("label"), when=m.get("when"), repeat=m.get("repeat"),
                          alias=m.get("as"), line=m["__line__"],
                          items=tuple(ItemSpec(i["text"], i.get("when"), i["__line__"], i.get("repeat"), i.get("as"))
                                      for i in m.get("items", [])))

    def witness(v: dict) -> Witness | None:
        w = v.get("witness")
        if w is None:
            return None
        return Witness(base=w["base"], changes=tuple(_strip_lines(w.get("changes", {})).items()),
                       remove=tuple(w.get("remove", [])), shows=tuple(w.get("shows", [])),
                       line=w["__line__"])

    if "variants" in raw:
        variants = tuple(Variant(id=v["id"], when=v.get("when"), summary=v["summary"],
                                 attention=tuple(v.get("attention", [])),
                                 members=tuple(member(m) for m in v["members"]), line=v["__line__"],
                                 witness=witness(v))
                         for v in raw["variants"])
    else:
        variants = (Variant(id="standaard", when=None, summary="", attention=(),
                            members=tuple(member(m) for m in raw["members"]),
                            line=raw["__lines__"].get("members", 1)),)
    return Clause(
        id=raw["id"], version=raw["version"], status=raw["status"], title=raw["title"],
        kind=raw.get("kind", "article"), position=raw["position"], topic=raw.get("topic"),
        include=raw.get("include"), parameters=tuple(raw.get("parameters", [])),
        defines=tuple(Definition(d["term"], d["definition"], d["__line__"]) for d in raw.get("defines", [])),
        uses=tuple(raw.get("uses", [])), variants=variants, file=file,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), lines=raw["__lines__"],
    )


def parse_answer_schema(text: str, file: str = SCHEMA_FILE) -> AnswerSchema:
    """Parse and check a library's own answer-set schema; raise LibraryError naming file and line.

    It must be a JSON Schema that keeps every field of the shipped one (a library adds, never takes away).
    """
    try:
        tree = json.loads(text)
    except ValueError as exc:
        raise LibraryError(_("geen geldige JSON: {reason}").format(reason=getattr(exc, "msg", exc)), file=file,
                           line=getattr(exc, "lineno", None)) from exc
    if not isinstance(tree, dict) or not isinstance(tree.get("properties"), dict):
        raise LibraryError(_("het schema van de antwoordenset moet een JSON-object met 'properties' zijn"), file=file)
    try:
        jsonschema.Draft202012Validator.check_schema(tree)
    except jsonschema_exceptions.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or _("(bestand)")
        raise LibraryError(f"{where}: {exc.message}", file=file) from exc
    refs = broken_refs(tree)
    if refs:
        raise LibraryError(_("het schema verwijst naar {refs}, maar die plaats bestaat er niet in").format(
            refs=", ".join(refs[:5])), file=file)
    missing = fields_missing(tree)
    if missing:
        raise LibraryError(_("het schema mist {fields} van het meegeleverde schema; een bibliotheek mag velden aan de "
                             "antwoordenset toevoegen, nooit weglaten").format(fields=", ".join(missing[:5])), file=file)
    return AnswerSchema(tree, hashlib.sha256(text.encode("utf-8")).hexdigest())


def build_library(meta_text: str, clause_texts: Mapping[str, str],
                  phrase_texts: Mapping[str, str] | None = None, schema_text: str | None = None) -> Library:
    """Build a Library from the text of library.yaml, the texts of the clause files by name, those of the
    phrases files (``phrases/<language>.yaml``) by name and the text of its own answer-set schema, if any."""
    try:
        meta = yaml.safe_load(meta_text) or {}
    except yaml.YAMLError as exc:
        raise LibraryError(_("geen geldige YAML: {reason}").format(reason=exc), file="library.yaml") from exc
    if not isinstance(meta, dict) or not {"name", "version"} <= set(meta):
        raise LibraryError(_("library.yaml moet 'name' en 'version' bevatten"), file="library.yaml")
    clauses = [parse_clause(text, file) for file, text in sorted(clause_texts.items())]
    seen: dict[str, str] = {}
    for clause in clauses:
        if clause.id in seen:
            raise LibraryError(_("id '{id}' komt ook voor in {file}").format(id=clause.id, file=seen[clause.id]), file=clause.file,
                               clause=clause.id, line=clause.line_of("id"))
        seen[clause.id] = clause.file
    digest = hashlib.sha256(meta_text.encode("utf-8"))
    phrase_texts = phrase_texts or {}
    phrases = [parse_phrases(text, file) for file, text in sorted(phrase_texts.items())]
    own_schema = {SCHEMA_FILE: schema_text} if schema_text is not None else {}
    for file, text in sorted({**clause_texts, **phrase_texts, **own_schema}.items()):
        digest.update(f"\0{file}\0".encode() + text.encode("utf-8"))
    return Library(name=meta["name"], version=str(meta["version"]), topics=dict(meta.get("topics", {})),
                   clauses=tuple(sorted(clauses, key=lambda c: (c.position, c.id))),
                   content_hash=digest.hexdigest(), phrases={p.language: p for p in phrases},
                   answer_schema=parse_answer_schema(schema_text) if schema_text is not None else None)


class MemoryLoader:
    """Serve a library from memory: ``{"library.yaml": ..., "clauses/x.yaml": ..., "phrases/nl.yaml": ...}``, and
    its own answer-set schema under :data:`SCHEMA_FILE` if it has one."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = dict(files)

    def load(self) -> Library:
        """Return the library built from the files in memory."""
        clauses = {name: text for name, text in self.files.items() if name.startswith("clauses/")}
        phrases = {name: text for name, text in self.files.items() if name.startswith("phrases/")}
        return build_library(self.files.get("library.yaml", ""), clauses, phrases, self.files.get(SCHEMA_FILE))


class DirectoryLoader:
    """Read a library from a folder: ``library.yaml``, ``clauses/*.yaml``, ``phrases/*.yaml`` and, if the library
    has its own, :data:`SCHEMA_FILE`."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root else clause_library_dir()

    def files(self) -> dict[str, str]:
        """Return the library's files by relative name."""
        try:
            files = {"library.yaml": (self.root / "library.yaml").read_text(encoding="utf-8")}
            for folder in ("clauses", "phrases"):
                for path in sorted((self.root / folder).glob("*.yaml")):
                    files[f"{folder}/{path.name}"] = path.read_text(encoding="utf-8")
            if (self.root / SCHEMA_FILE).is_file():
                files[SCHEMA_FILE] = (self.root / SCHEMA_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LibraryError(_("clausulebibliotheek niet leesbaar: {reason}").format(reason=exc), file=str(self.root)) from exc
        return files

    def load(self) -> Library:
        """Return the library in this folder, from the compiled-library cache when its files did not change."""
        files = self.files()
        return library_cache.cached(files, MemoryLoader(files).load, Library)


_DEFAULT: Library | None = None


def default_library() -> Library:
    """Return the installed clause library, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = DirectoryLoader().load()
    return _DEFAULT


_IN_USE: ContextVar[Library | None] = ContextVar("library", default=None)


@contextmanager
def using_library(library: Library | None) -> Iterator[None]:
    """Make ``library`` the clause library that checks inside the block read (None: the installed one)."""
    token = _IN_USE.set(library)
    try:
        yield
    finally:
        _IN_USE.reset(token)


def library_in_use() -> Library:
    """Return the clause library of the block (an Engine's, see :func:`using_library`), else the installed one."""
    library = _IN_USE.get()
    return default_library() if library is None else library
