"""Clause text as Jinja in a sandbox: the environment, the notation filters and a compile-once cache.

Answer values reach templates only as data in the context; they are never compiled, so ``{{ 7*7 }}`` in
a party name prints as typed. ``StrictUndefined`` makes a missing value an error that names the clause
and the variable, never a silent blank in a contract.

The code Jinja compiles a clause text or condition to is kept between runs (:data:`_COMPILED`, in the
compiled-library cache): a command that starts loads it instead of parsing and compiling every text again.
"""
from __future__ import annotations

import hashlib
import re
from types import CodeType
from typing import Any, Callable

from functools import wraps

import jinja2
from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateExpression
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import _PassArg

from agreement_engine import library_cache
from agreement_engine.errors import LibraryError
from agreement_engine.formatting import Formatter, default_language, formatter
from agreement_engine.i18n import _

#: Whitespace that str.split() would fold into a plain space but an answer means literally (no-break spaces).
_UNICODE_SPACE = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_ASCII_SPACE = re.compile("[ \t\n\r\x0b\x0c]+")

#: Private-use characters that wrap a cross-reference label in rendered text until it is resolved.
REF_OPEN, REF_CLOSE = "\ue000", "\ue001"
_REF = re.compile(f"{REF_OPEN}([^{REF_CLOSE}]*){REF_CLOSE}")


def _strict(filter_function: Callable) -> Callable:
    """Make a filter raise on an undefined value instead of formatting it (Jinja passes it through)."""
    @wraps(filter_function)
    def strict(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
        return filter_function(*args, **kwargs)
    return strict


def _plain_spaces(filter_function: Callable) -> Callable:
    """Make a filter write plain spaces (babel writes "€\xa025,00"): a no-break space in the text is an answer's."""
    @wraps(filter_function)
    def plain(*args, **kwargs):
        result = filter_function(*args, **kwargs)
        return result.replace("\xa0", " ") if isinstance(result, str) else result
    return plain


def make_environment(notation: Formatter | None = None) -> ImmutableSandboxedEnvironment:
    """Return the sandboxed Jinja environment every clause renders in, with the filters of ``notation``
    (default: that of the schema's default document language)."""
    notation = notation or formatter(default_language())
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                        lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update({name: _strict(_plain_spaces(f)) for name, f in notation.filters.items()})

    def terms(parties) -> str:
        """Join the defined terms of a list of parties: "A, B en C"."""
        return notation.enum([p["term"] for p in parties])

    env.filters["terms"] = _strict(terms)
    return env


class _Reads(CodeGenerator):
    """Jinja's code generator, writing nothing, noting every name the code would look up in the context.

    As ``jinja2.meta.find_undeclared_variables``, but with the names of the environment's globals too: a context
    value of the same name comes first.
    """

    def __init__(self, environment: ImmutableSandboxedEnvironment) -> None:
        super().__init__(environment, "<reads>", "<reads>")
        self.names: set[str] = set()

    def write(self, x: str) -> None:
        """Write nothing."""

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        self.names.update(param for action, param in frame.symbols.loads.values() if action == "resolve")


#: Jinja's own filters that give the same text for the same arguments: all but ``random``.
_PURE_JINJA_FILTERS = frozenset({
    "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
    "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join", "last",
    "length", "list", "lower", "map", "max", "min", "pprint", "reject", "rejectattr", "replace", "reverse", "round",
    "safe", "select", "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "tojson", "trim",
    "truncate", "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr"})
#: Names of the environment whose result is not a function of their arguments.
_DRAWN = frozenset({"lipsum", "random"})
#: The most texts kept by their inputs (see ``Templates.render``'s ``memo``); then the memory starts again. A
#: document has about 280 templated texts, and one that differs from the last in a name adds about 20: the kept
#: texts start again every 40 documents or so, and a batch's memory stays flat (bench: 1,000 against 10 documents).
MEMO_SIZE = 1024
#: The most values said exactly that the kept texts share (see ``Templates.shared``): a batch adds about one per
#: document (its alliance), each at most 16 KiB.
SHARED_SIZE = 256

#: The code Jinja compiled texts and conditions to, kept between runs. A key holds the environment's fingerprint
#: (its class, and each filter and test with what it is passed: Jinja compiles those into the code) and the
#: source, so code is only ever reused for the same text in an environment that compiles it the same way.
_COMPILED = library_cache.Store("templates", jinja2.__version__, lambda value: isinstance(value, CodeType))

#: What :meth:`Templates.memo_names` worked out for each text (whether it may be kept, the names it reads, those
#: it only calls), kept between runs like the compiled code: working it out parses the text, which a one-document
#: ``render`` would otherwise pay for every text. The key holds the environment's fingerprint, the filters counted
#: as pure and the source.
_READS = library_cache.Store("reads", jinja2.__version__, lambda value: (
    isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], bool)
    and all(isinstance(names, tuple) and all(isinstance(n, str) for n in names) for names in value[1:])))


def _fingerprint(env: jinja2.Environment) -> str:
    """Return what the code Jinja compiles in ``env`` depends on beside the source (see :data:`_COMPILED`)."""
    parts = [type(env).__module__, type(env).__qualname__]
    for kind, functions in (("filter", env.filters), ("test", env.tests)):
        parts += [f"{kind} {name} {_PassArg.from_obj(function)}" for name, function in sorted(functions.items())]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


class Templates:
    """Compile each clause text and condition once per process and render it with clear errors."""

    def __init__(self, notation: Formatter | None = None) -> None:
        self.env = make_environment(notation)
        self._templates: dict[str, Any] = {}
        self._expressions: dict[str, Callable] = {}
        self._fingerprint = _fingerprint(self.env)
        self._names: dict[str, tuple[str, ...] | None] = {}
        self._called: dict[str, frozenset[str]] = {}
        self._plain: dict[str, str] = {}  # a text without template syntax, collapsed
        self._shared: dict[bytes, bytes] = {}
        self._memo: dict[tuple, str] = {}
        #: How many texts came from the memo instead of being rendered (for tests and measurements).
        self.memo_hits = 0
        #: The filters of this environment whose text is a function of their arguments alone.
        self._pure = _PURE_JINJA_FILTERS | (set(notation.filters) if notation else set(formatter(
            default_language()).filters)) | {"terms"}
        self._reads_fingerprint = hashlib.sha256("\0".join([self._fingerprint, *sorted(self._pure)]).encode()
                                                 ).hexdigest()[:32]

    def memo_names(self, source: str) -> tuple[str, ...] | None:
        """Return the names ``source`` reads from its context, sorted, when its text is a function of their values
        alone; None when it is not (a filter or a global that draws at random, a filter named by a value, another
        template) or when it does not compile (``render`` says why).

        Every name a template looks up in its context is an undeclared variable of its syntax tree (what Jinja's
        code generator resolves from the context); filters and tests come from the environment, not the context.
        """
        if source in self._names:
            return self._names[source]
        key = f"reads\0{self._reads_fingerprint}\0{source}"
        found = _READS.get(key)
        if found is None:
            found = self._reads(source)
            if found is None:
                return None  # not kept: render raises with the place
            _READS.put(key, found)
        keepable, names, called = found
        self._called[source] = frozenset(called)
        self._names[source] = names if keepable else None
        return self._names[source]

    def _reads(self, source: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]] | None:
        """Work out :meth:`memo_names` of ``source``: whether its text may be kept, the names it reads and those
        it only calls; None when it does not compile."""
        try:
            tree = self.env.parse(source)
            reads = _Reads(self.env)
            reads.visit(tree)
        except TemplateSyntaxError:
            return None
        names = tuple(sorted(reads.names))
        keepable = not (_DRAWN & set(names)) and not any(
            isinstance(node, (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport))
            for node in tree.find_all(nodes.Stmt))
        for node in tree.find_all(nodes.Filter):
            if node.name not in self._pure:
                keepable = False
            elif node.name == "map" and node.args and not (isinstance(node.args[0], nodes.Const)
                                                           and node.args[0].value in self._pure):
                keepable = False  # map('name') applies the filter of that name
        if any(isinstance(node.value, str) and node.value in _DRAWN for node in tree.find_all(nodes.Const)):
            keepable = False
        targets = {id(call.node) for call in tree.find_all(nodes.Call)}
        called = tuple(sorted(name for name in (names if keepable else ()) if all(
            id(node) in targets for node in tree.find_all(nodes.Name) if node.name == name)))
        return keepable, names, called

    def shared(self, said: bytes) -> bytes:
        """Return the one copy of ``said`` (a value said exactly) that the kept texts share: the texts kept for one
        document and the next then hold one copy of a value that did not change, not one per document."""
        if len(self._shared) >= SHARED_SIZE:
            self._shared.clear()
        return self._shared.setdefault(said, said)

    def only_called(self, source: str) -> frozenset[str]:
        """Return the names of :meth:`memo_names` that ``source`` only calls (``ref('x')``), never prints or passes
        on: for those the text is a function of what the call gives, not of the function itself."""
        self.memo_names(source)
        return self._called.get(source, frozenset())

    def _template(self, source: str) -> Any:
        """Return ``source`` compiled as a template (what ``env.from_string`` does), its code kept between runs."""
        key = f"template\0{self._fingerprint}\0{source}"
        code = _COMPILED.get(key)
        if code is None:
            code = self.env.compile(source)
            _COMPILED.put(key, code)
        return self.env.template_class.from_code(self.env, code, self.env.make_globals(None))

    def _expression(self, expression: str) -> Callable:
        """Return ``expression`` compiled (what ``env.compile_expression(expression, undefined_to_none=False)``
        does), its code kept between runs."""
        key = f"expression\0{self._fingerprint}\0{expression}"
        code = _COMPILED.get(key)
        if code is None:
            parser = Parser(self.env, expression, state="variable")
            try:
                expr = parser.parse_expression()
                if not parser.stream.eos:
                    raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)
                expr.set_environment(self.env)
            except TemplateSyntaxError:
                self.env.handle_exception(source=expression)
            body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
            code = self.env.compile(nodes.Template(body, lineno=1))
            _COMPILED.put(key, code)
        template = self.env.template_class.from_code(self.env, code, self.env.make_globals(None))
        return TemplateExpression(template, False)

    def _where(self, clause: str | None, file: str | None, line: int | None) -> dict:
        return {"clause": clause, "file": file, "line": line}

    def prepare(self, context: dict) -> dict:
        """Return ``context`` with the environment's globals, ready for ``render(..., prepared=True)``.

        A caller that renders many texts with one context prepares it once instead of per text; rendering
        never changes it (the template's own variables live in the template's context).
        """
        return dict(self.env.globals, **context)

    def render(self, source: str, context: dict, *, clause: str | None = None, file: str | None = None,
               line: int | None = None, prepared: bool = False, memo: tuple | None = None) -> str:
        """Render ``source`` with ``context`` (``prepared``: made by :meth:`prepare`, or a copy of one with more
        names); whitespace collapsed to single spaces.

        ``memo`` identifies the values of every name of :meth:`memo_names` in ``context`` exactly (the caller's
        promise: equal memos, equal values); the text is then kept under it, and a later call with an equal memo
        gets the kept text without rendering. A text that fails is never kept.
        """
        if "{" not in source:  # no tag, no expression, no comment: Jinja would give the text back as it is
            plain = self._plain.get(source)
            if plain is None:
                if len(self._plain) >= MEMO_SIZE:
                    self._plain.clear()
                plain = self._plain[source] = _collapse(source)
            return plain
        if memo is not None:
            kept = self._memo.get((source, memo))
            if kept is not None:
                self.memo_hits += 1
                return kept
        template = self._templates.get(source)
        try:
            if template is None:
                template = self._templates[source] = self._template(source)
            # Template.render, without its two copies of the context (a third of the time per document) and
            # without new_context's set of the template's globals (unused by Jinja; ``prepare`` merged them)
            text = self.env.concat(template.root_render_func(self.env.context_class(
                self.env, context if prepared else dict(self.env.globals, **context), template.name,
                template.blocks)))
        except TemplateSyntaxError as exc:
            raise LibraryError(_("fout in de tekst: {reason}").format(reason=exc.message), **self._where(
                clause, file, (line or 0) + (exc.lineno or 1))) from exc
        except UndefinedError as exc:
            raise LibraryError(_("onbekende waarde in de tekst: {reason}").format(reason=exc.message),
                               **self._where(clause, file, line)) from exc
        except SecurityError as exc:
            raise LibraryError(_("niet toegestaan in de sandbox: {reason}").format(reason=exc),
                               **self._where(clause, file, line)) from exc
        except LibraryError as exc:  # from a helper such as party(), which does not know the clause
            raise _placed(exc, self._where(clause, file, line))
        except Exception as exc:  # a filter given a value it cannot format
            raise LibraryError(_("de tekst kan niet worden opgemaakt: {reason}").format(reason=f"{type(exc).__name__}: {exc}"),
                               **self._where(clause, file, line)) from exc
        text = _collapse(text)
        if memo is not None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
                self._shared.clear()  # the values only the cleared texts held go with them
            self._memo[(source, memo)] = text
        return text

    def evaluate(self, expression: str, context: dict, *, clause: str | None = None, file: str | None = None,
                 line: int | None = None, prepared: bool = False) -> Any:
        """Evaluate a condition or list expression with ``context`` (``prepared``: as for :meth:`render`)."""
        compiled = self._expressions.get(expression)
        try:
            if compiled is None:
                compiled = self._expressions[expression] = self._expression(expression)
            template = getattr(compiled, "_template", None)
            if prepared and template is not None:
                # TemplateExpression.__call__, without its two copies of the context
                evaluation = self.env.context_class(self.env, context, template.name, template.blocks)
                for _event in template.root_render_func(evaluation):
                    pass
                value = evaluation.vars["result"]
            else:
                value = compiled(**context)
            if isinstance(value, StrictUndefined):
                bool(value)  # raises UndefinedError with the variable's name
            return value
        except TemplateSyntaxError as exc:
            raise LibraryError(_("voorwaarde '{expression}' is geen geldige expressie: {reason}").format(
                expression=expression, reason=exc.message),
                               **self._where(clause, file, line)) from exc
        except UndefinedError as exc:
            raise LibraryError(_("onbekende waarde in voorwaarde '{expression}': {reason}").format(
                expression=expression, reason=exc.message),
                               **self._where(clause, file, line)) from exc
        except SecurityError as exc:
            raise LibraryError(_("niet toegestaan in de sandbox: {reason}").format(reason=exc),
                               **self._where(clause, file, line)) from exc
        except LibraryError as exc:
            raise _placed(exc, self._where(clause, file, line))
        except Exception as exc:  # a comparison of values that cannot be compared
            raise LibraryError(_("voorwaarde '{expression}' kan niet worden uitgerekend: {reason}").format(
                expression=expression, reason=f"{type(exc).__name__}: {exc}"),
                               **self._where(clause, file, line)) from exc


def _collapse(text: str) -> str:
    """Return ``text`` with every run of ASCII whitespace one space, without spaces at either end."""
    if _UNICODE_SPACE.search(text):  # a no-break space or line separator in an answer stays what it is
        return _ASCII_SPACE.sub(" ", text).strip(" ")
    return " ".join(text.split())  # the same as collapsing r"\s+", three times as fast


def _placed(exc: LibraryError, where: dict) -> LibraryError:
    """Return ``exc`` itself when it says where it happened, else the same message with ``where`` added."""
    if exc.clause is not None:
        return exc
    placed = LibraryError(exc.problem.message, **{**where, "file": exc.file or where.get("file"),
                                                   "line": exc.line or where.get("line")})
    placed.__cause__ = exc
    return placed


def ref_marker(label: str) -> str:
    """Return the placeholder that stands for ``label`` until the reference is resolved."""
    return f"{REF_OPEN}{label}{REF_CLOSE}"


def split_refs(text: str) -> list[tuple[str, bool]]:
    """Split rendered text into (text, is_label) parts.

    >>> split_refs("artikel " + ref_marker("duur") + " lid")
    [('artikel ', False), ('duur', True), (' lid', False)]
    """
    if text and REF_OPEN not in text:
        return [(text, False)]
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _REF.finditer(text):
        if match.start() > position:
            parts.append((text[position:match.start()], False))
        parts.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts
