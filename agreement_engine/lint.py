"""``library lint``: prove the clause library consistent before anything renders.

Checks every template and condition statically (Jinja AST) against the answer-set schema: unknown
variables and fields, unresolved references and defined terms, terms defined but never used, conditions
that do not parse, variants no answer set can select and enum values no clause covers. Each problem
names the file, the clause and the line.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Iterator

import jinja2
from jinja2 import TemplateSyntaxError, nodes

from agreement_engine import library_cache
from agreement_engine.answers import normalize
from agreement_engine.assemble import build_context, templates, term_pattern
from agreement_engine.context import COMPUTED, PARTY_EXTRAS, PARTY_LISTS, PARTY_ONE, answer_sections
from agreement_engine.errors import EngineError, LibraryError, Problem
from agreement_engine.findings import has_errors
from agreement_engine.formatting import default_language
from agreement_engine.i18n import get_language
from agreement_engine.library import Clause, Library, LibraryLoader
from agreement_engine.phrases import problems as phrase_problems
from agreement_engine.resources import example_path, load_schema, schema_key, using_schema
from agreement_engine.schema import path_exists, schema_at, schema_enums
from agreement_engine.templating import make_environment
from agreement_engine.validate import validate

#: Names Jinja itself gives every template.
_JINJA_GLOBALS = ("range", "loop", "namespace", "dict", "true", "false", "none", "True", "False", "None")
#: Attributes a clause may never read, besides every name that starts with "_": what the sandbox refuses
#: (a type's mro) and str.format, whose format string can reach attributes ("{0.__class__}").
_UNSAFE_ATTRIBUTES = ("mro", "format", "format_map")


@dataclass(frozen=True)
class _Source:
    text: str
    line: int
    is_expression: bool
    what: str
    alias: tuple[str, str] | None = None  # (name, path) bound by a repeat


def _sources(clause: Clause) -> Iterator[_Source]:
    yield _Source(clause.title, clause.line_of("title"), False, "titel")
    if clause.include:
        yield _Source(clause.include, clause.line_of("include"), True, "include")
    for d in clause.defines:
        yield _Source(d.term, d.line, False, "begrip")
        yield _Source(d.definition, d.line, False, "definitie")
    for variant in clause.variants:
        if variant.when:
            yield _Source(variant.when, variant.line, True, f"variant {variant.id}")
        for member in variant.members:
            alias = None
            if member.repeat:
                yield _Source(member.repeat, member.line, True, "repeat")
                alias = (member.alias or "", member.repeat.strip())
            if member.when:
                yield _Source(member.when, member.line, True, "voorwaarde")
            yield _Source(member.text, member.line, False, "tekst", alias)
            for item in member.items:
                item_alias = alias
                if item.repeat:
                    yield _Source(item.repeat, item.line, True, "repeat", alias)
                    item_alias = (item.alias or "", item.repeat.strip())
                if item.when:
                    yield _Source(item.when, item.line, True, "voorwaarde", item_alias)
                yield _Source(item.text, item.line, False, "tekst", item_alias)


class _Analyzer:
    """Walk one template's AST: names, answer paths, references and enum comparisons."""

    def __init__(self, bindings: dict[str, str]) -> None:
        self.bindings = dict(bindings)  # local name -> dotted answer path of what it stands for
        self.names: set[str] = set()
        self.paths: set[str] = set()
        self.refs: list[object] = []
        self.compared: set[tuple[str, object]] = set()
        self.unsafe: set[str] = set()
        self.equal: set[tuple[str, object]] = set()  # the comparisons with ==

    def chain(self, node: nodes.Node) -> str | None:
        """Return the dotted answer path of a Name/Getattr chain, or None when it is not one."""
        if isinstance(node, nodes.Name):
            if node.name in self.bindings:
                return self.bindings[node.name]
            if node.name in PARTY_LISTS or node.name in PARTY_ONE:
                return "parties"
            if node.name == "warranties":  # the conditions of form 'warranty'
                return "conditions"
            return node.name if node.name in answer_sections() else None
        if isinstance(node, nodes.Getattr):
            base = self.chain(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            base = self.chain(node.node)
            return f"{base}.{node.arg.value}" if base else None
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "party":
            return "parties"
        if isinstance(node, nodes.Filter) and node.node is not None and node.name in ("list", "sort", "reverse"):
            return self.chain(node.node)
        return None

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter)
            path = self.chain(node.iter)
            for target in _names_in(node.target):
                if path:
                    self.bindings[target.name] = path
                else:
                    self.bindings.setdefault(target.name, "")
            for child in (*node.body, *node.else_, *([node.test] if node.test else [])):
                self.visit(child)
            return
        if isinstance(node, nodes.Macro):
            self.bindings.setdefault(node.name, "")
            for arg in node.args:
                self.bindings.setdefault(arg.name, "")
        if isinstance(node, nodes.AssignBlock):
            for target in _names_in(node.target):
                self.bindings.setdefault(target.name, "")
        if isinstance(node, nodes.Assign):
            self.visit(node.node)
            for target in _names_in(node.target):
                self.bindings.setdefault(target.name, self.chain(node.node) or "")
            return
        if isinstance(node, nodes.Name) and node.ctx == "load":
            self.names.add(node.name)
        name = _attribute_name(node)
        if name is not None and (name.startswith("_") or name in _UNSAFE_ATTRIBUTES):
            self.unsafe.add(name)
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            path = self.chain(node)
            if path:
                self.paths.add(path)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "ref":
            arg = node.args[0] if node.args else None
            self.refs.append(arg.value if isinstance(arg, nodes.Const) else None)
        if isinstance(node, nodes.Compare):
            self._compare(node)
        for child in node.iter_child_nodes():
            self.visit(child)

    def _compare(self, node: nodes.Compare) -> None:
        left = node.expr
        for operand in node.ops:
            right = operand.expr
            if operand.op in ("eq", "ne"):
                for a, b in ((left, right), (right, left)):
                    path = self.chain(a)
                    if path and isinstance(b, nodes.Const):
                        self.compared.add((path, b.value))
                        if operand.op == "eq":
                            self.equal.add((path, b.value))
            elif operand.op in ("in", "notin"):
                path = self.chain(right)
                if path and isinstance(left, nodes.Const):
                    self.compared.add((path, left.value))
                path = self.chain(left)
                if path and isinstance(right, nodes.List | nodes.Tuple):
                    for element in right.items:
                        if isinstance(element, nodes.Const):
                            self.compared.add((path, element.value))
            left = right


def _attribute_name(node: nodes.Node) -> str | None:
    """Return the attribute name ``node`` reads: ``x.name``, ``x['name']`` or ``x | attr('name')``."""
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem):
        key = node.arg
    elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        key = node.args[0]
    else:
        return None
    return key.value if isinstance(key, nodes.Const) and isinstance(key.value, str) else None


def equalities(condition: str) -> set[tuple[str, object]]:
    """Return the (answer path, value) pairs a condition tests with ``==``.

    >>> sorted(equalities("alliance.term.kind == 'fixed' and alliance.term.renewal != 'none'"))
    [('alliance.term.kind', 'fixed')]
    """
    analyzer = _Analyzer({})
    analyzer.visit(make_environment().parse(f"{{{{ ({condition}) }}}}"))
    return analyzer.equal


def _names_in(target: nodes.Node) -> list[nodes.Name]:
    """Return the names a for-loop or set target binds (the target itself included)."""
    return [target] if isinstance(target, nodes.Name) else list(target.find_all(nodes.Name))


def _base_path(path: str) -> str:
    """Strip the party extras from a path: 'parties.term' -> 'parties'."""
    parts = path.split(".")
    if parts[0] == "parties" and len(parts) > 1 and parts[1] in PARTY_EXTRAS:
        return "parties"
    return path


def lint(source: Library | LibraryLoader) -> list[Problem]:
    """Return every problem of the library (empty when it is consistent), against its own answer-set schema if it
    carries one, else the shipped one.

    The verdict is kept in the compiled-library cache: the same library files, examples (the witnesses' bases),
    engine and language give the same problems, so a second lint of an unchanged library only reads them.
    """
    try:
        library = source if isinstance(source, Library) else source.load()
    except LibraryError as exc:
        return [exc.problem if exc.file else dataclasses.replace(exc.problem, file="clause_library")]
    with using_schema(library.answer_schema):
        return library_cache.remembered("lint", [library.content_hash, _examples_digest(), get_language()],
                                        lambda: _lint_library(library), _problems)


def _examples_digest() -> str:
    """Return the sha256 of the example answer sets, on which the witnesses build."""
    digest = hashlib.sha256()
    for path in sorted(example_path().parent.glob("*.json")):
        digest.update(f"\0{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _problems(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(problem, Problem) for problem in value)


def _lint_library(library: Library) -> list[Problem]:
    env = make_environment()
    problems: list[Problem] = []
    enums = schema_enums()
    covered: set[tuple[str, object]] = set()
    labels = library.labels
    defined: dict[str, Clause] = {}
    label_owner: dict[str, Clause] = {}
    for clause in library.clauses:
        for d in clause.defines:
            if d.term in defined:
                problems.append(Problem(clause.file, clause.id, d.line,
                                        f"begrip '{d.term}' wordt ook gedefinieerd in {defined[d.term].id}"))
            defined[d.term] = clause
        for variant in clause.variants:
            for member in variant.members:
                if member.label and member.repeat:
                    problems.append(Problem(clause.file, clause.id, member.line,
                                            f"een herhaald lid kan geen label hebben ('{member.label}')"))
                if member.label and label_owner.get(member.label, clause) is not clause:
                    problems.append(Problem(clause.file, clause.id, member.line,
                                            f"label '{member.label}' bestaat ook in {label_owner[member.label].id}"))
                if member.label:
                    label_owner[member.label] = clause

    texts_by_clause: dict[str, str] = {}
    for clause in library.clauses:
        problems.extend(_lint_clause(clause, env, enums, labels, covered, texts_by_clause))
    problems.extend(_lint_terms(library, defined, texts_by_clause))
    problems.extend(lint_witnesses(library))
    for path, values in sorted(enums.items()):
        if len(values) < 2:
            continue  # a single-valued enum (language "nl") has nothing to choose between
        for value in values:
            if (path, value) not in covered:
                problems.append(Problem("clause_library", None, None,
                                        f"geen clausule dekt de waarde '{value}' van {path} (met een expliciete "
                                        "vergelijking in een voorwaarde of tekst)"))
    problems.extend(_lint_phrases(library))
    return problems


def _lint_clause(clause: Clause, env, enums: dict, labels: frozenset, covered: set,
                 texts_by_clause: dict) -> Iterator[Problem]:
    known = set(answer_sections()) | set(COMPUTED) | set(_JINJA_GLOBALS)
    declared = set(clause.parameters)
    for parameter in sorted(declared):
        if not path_exists(parameter.split(".")):
            yield Problem(clause.file, clause.id, clause.line_of("parameters"),
                          f"parameter '{parameter}' bestaat niet in het schema van de antwoordenset")
    texts = []
    unconditional_seen = None
    for variant in clause.variants:
        if unconditional_seen:
            yield Problem(clause.file, clause.id, variant.line,
                          f"variant {variant.id} kan nooit worden gekozen: variant {unconditional_seen} "
                          "staat ervoor en heeft geen voorwaarde")
        if variant.when is None and len(clause.variants) > 1:
            unconditional_seen = variant.id
    for src in _sources(clause):
        try:
            analyzer = _read(src, env)
        except TemplateSyntaxError as exc:
            kind = "voorwaarde" if src.is_expression else "tekst"
            yield Problem(clause.file, clause.id, src.line, f"{kind} ({src.what}) parseert niet: {exc.message}")
            continue
        if not src.is_expression and src.what != "begrip":
            texts.append(src.text)
        for name in sorted(analyzer.names - known - set(analyzer.bindings)):
            yield Problem(clause.file, clause.id, src.line, f"onbekende variabele '{name}' in {src.what}")
        for attr in sorted(analyzer.unsafe):
            yield Problem(clause.file, clause.id, src.line, f"het attribuut '{attr}' is in de sandbox niet toegestaan")
        for label in analyzer.refs:
            if label is None:
                yield Problem(clause.file, clause.id, src.line, "ref() moet een vast label krijgen")
            elif label not in labels:
                yield Problem(clause.file, clause.id, src.line, f"verwijzing naar onbekend label '{label}'")
        for path in sorted(analyzer.paths):
            base = _base_path(path)
            parts = base.split(".")
            if parts[0] not in answer_sections():
                continue
            if not path_exists(parts):
                yield Problem(clause.file, clause.id, src.line, f"onbekend veld '{path}' in {src.what}")
            elif base != "parties" and not any(base == p or base.startswith(p + ".") or p.startswith(base + ".")
                                               for p in declared):
                yield Problem(clause.file, clause.id, src.line,
                              f"'{base}' wordt gebruikt maar staat niet onder parameters")
        for path, value in analyzer.compared:
            base = _base_path(path)
            covered.add((base, value))
            if base in enums and value not in enums[base]:
                yield Problem(clause.file, clause.id, src.line,
                              f"'{value}' is geen waarde van {base} (kies uit {', '.join(map(str, enums[base]))}); "
                              "deze voorwaarde kan nooit gelden")
    texts_by_clause[clause.id] = "\n".join(texts)


#: What lint read in each text (:func:`_read`), kept between runs: after a change to a clause only its own
#: texts are parsed again.
_READINGS = library_cache.Store("lint-readings", jinja2.__version__, lambda value: isinstance(value, tuple))


def _read(src: _Source, env) -> _Analyzer:
    """Return the analyzer that walked ``src`` (TemplateSyntaxError when it does not parse), from the cache when
    this text with this alias was read before against the same schema."""
    key = f"{schema_key()}\0{src.is_expression}\0{src.alias}\0{src.text}"
    kept = _READINGS.get(key)
    if kept is not None:
        analyzer = _Analyzer({name: "" for name in kept[1]})
        analyzer.names, analyzer.unsafe, analyzer.paths = set(kept[0]), set(kept[2]), set(kept[4])
        analyzer.refs, analyzer.compared = list(kept[3]), set(kept[5])
        return analyzer
    tree = env.parse(f"{{{{ ({src.text}) }}}}" if src.is_expression else src.text)
    bindings = {}
    if src.alias:
        bindings[src.alias[0]] = _Analyzer({}).chain(env.parse(f"{{{{ ({src.alias[1]}) }}}}").body[0].nodes[0]) or ""
    analyzer = _Analyzer(bindings)
    analyzer.visit(tree)
    _READINGS.put(key, (frozenset(analyzer.names), frozenset(analyzer.bindings), frozenset(analyzer.unsafe),
                        tuple(analyzer.refs), frozenset(analyzer.paths), frozenset(analyzer.compared)))
    return analyzer


def _lint_terms(library: Library, defined: dict[str, Clause], texts: dict[str, str]) -> Iterator[Problem]:
    static_terms = [t for t in defined if "{" not in t]
    all_uses = {u for c in library.clauses for u in c.uses}
    for clause in library.clauses:
        own = {d.term for d in clause.defines}
        for term in clause.uses:
            if term not in defined:
                yield Problem(clause.file, clause.id, clause.line_of("uses"),
                              f"gebruikt begrip '{term}', maar geen clausule definieert het")
            elif "{" not in term and not term_pattern(term, set(defined)).search(texts[clause.id]):
                yield Problem(clause.file, clause.id, clause.line_of("uses"),
                              f"vermeldt begrip '{term}' onder uses, maar de tekst gebruikt het niet")
        for term in static_terms:
            if term in own or term in clause.uses:
                continue
            if term_pattern(term, set(defined)).search(texts[clause.id]):
                yield Problem(clause.file, clause.id, clause.line_of("uses"),
                              f"de tekst gebruikt begrip '{term}', maar het staat niet onder uses")
    for term, clause in defined.items():
        used_elsewhere = term in all_uses or any(
            "{" not in term and term_pattern(term, set(defined)).search(text)
            for cid, text in texts.items())
        if not used_elsewhere:
            yield Problem(clause.file, clause.id, next(d.line for d in clause.defines if d.term == term),
                          f"begrip '{term}' wordt gedefinieerd maar nergens gebruikt")


# witnesses: every variant names the answers that select it ------------------------------------------------

def lint_witnesses(library: Library) -> Iterator[Problem]:
    """Check every variant's witness: present, its base an example, its paths fields of the answer schema,
    and its answers valid and selecting that variant (conditions evaluated, nothing rendered: tests/
    test_witnesses.py renders each witness and looks for the words it ``shows``)."""
    examples: dict[str, dict | None] = {}

    def example(name: str) -> dict | None:
        if name not in examples:
            path = example_path(name)
            examples[name] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return examples[name]

    for clause in library.clauses:
        if "variants" not in clause.lines:
            continue  # a clause without variants: its one text is there whatever the answers
        for variant in clause.variants:
            witness = variant.witness
            if witness is None:
                yield Problem(clause.file, clause.id, variant.line,
                              f"variant {variant.id} heeft geen witness (de antwoorden die haar kiezen)")
                continue
            if not witness.shows:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id} noemt geen woorden (shows) die de overeenkomst "
                              "dan bevat")
            base = example(witness.base)
            if base is None:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id}: geen voorbeeld '{witness.base}' in examples/")
                continue
            unknown = [p for p in [p for p, _ in witness.changes] + list(witness.remove)
                       if schema_at([0 if isinstance(x, int) else x for x in witness.split(p)]) is None]
            for path in unknown:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id}: '{path}' is geen veld van de antwoordenset")
            if unknown:
                continue
            try:
                answers = witness.apply(base)
            except (KeyError, IndexError, TypeError) as exc:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id}: pad bestaat niet in '{witness.base}' ({exc})")
                continue
            errors = [f for f in validate(answers) if has_errors([f])]
            if errors:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id} is geen geldige antwoordenset: "
                              + "; ".join(f"{f.message} ({f.path})" for f in errors))
                continue
            where = {"clause": clause.id, "file": clause.file}
            try:
                phrases = library.phrases_for(answers.get("language") or default_language())
                context = build_context(normalize(answers, phrases), phrases)
                t = templates(phrases.language)
                included = not clause.include or t.evaluate(clause.include, context, line=clause.line_of("include"),
                                                            **where)
                chosen = next((v.id for v in clause.variants
                               if v.when is None or t.evaluate(v.when, context, line=v.line, **where)), None)
            except EngineError as exc:
                yield Problem(clause.file, clause.id, witness.line, f"witness van variant {variant.id}: {exc}")
                continue
            if not included:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id}: met deze antwoorden wordt de clausule niet opgenomen")
            elif chosen != variant.id:
                yield Problem(clause.file, clause.id, witness.line,
                              f"witness van variant {variant.id} kiest variant {chosen or '(geen)'}")


# phrases -----------------------------------------------------------------------------------------
# The fixed wording of documents (clause_library/phrases/<language>.yaml): a file for every document
# language of the schema, holding every phrase the engine uses (phrases.PHRASES) and nothing else.

def _lint_phrases(library: Library) -> Iterator[Problem]:
    for language in load_schema()["properties"]["language"]["enum"]:
        if language not in library.phrases:
            yield Problem(f"phrases/{language}.yaml", None, None,
                          f"de vaste tekst voor documenten in de taal '{language}' ontbreekt")
    for phrases in library.phrases.values():
        for phrase_id, message in phrase_problems(phrases):
            yield Problem(phrases.file, None, None, f"{phrase_id}: {message}")
