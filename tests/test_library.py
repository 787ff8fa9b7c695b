"""The clause library: loading, structure errors, lint and the sandbox, on small in-memory libraries."""
from __future__ import annotations

import textwrap

import pytest
from conftest import example

from agreement_engine.assemble import assemble
from agreement_engine.errors import LibraryError
from agreement_engine.library import DirectoryLoader, MemoryLoader
from agreement_engine.lint import lint

META = "name: test\nversion: 1.0.0\n"

SIGNATURE = """
id: ondertekening
version: 1.0.0
status: draft
title: Ondertekening
kind: signature
position: 9000
topic: signing
parameters: [alliance.signing.mode]
variants:
  - id: samen
    when: "alliance.signing.mode == 'together'"
    witness: {base: dak-en-thuis, shows: [zesvoud]}
    summary: Samen getekend.
    members:
      - text: Aldus overeengekomen en in {{ n_parties | fold }} ondertekend.
  - id: apart
    when: "alliance.signing.mode == 'separately'"
    witness: {base: twee-partijen, shows: [ondertekend]}
    summary: Apart getekend.
    members:
      - text: Aldus overeengekomen en ondertekend.
"""

GOOD = """
id: bestuur
version: 1.0.0
status: draft
title: Bestuur
position: 200
defines:
  - term: Overeenkomst
    definition: deze overeenkomst
uses: [Overeenkomst]
members:
  - label: bestuur.orgaan
    text: De Overeenkomst kent een orgaan.
  - text: Zie artikel {{ ref('bestuur.orgaan') }}.
"""


#: The installed phrases files: a small library has the fixed wording of the real one.
PHRASES = {name: text for name, text in DirectoryLoader().files().items() if name.startswith("phrases/")}


def library(*clauses: str) -> MemoryLoader:
    files = {"library.yaml": META, "clauses/9000-ondertekening.yaml": SIGNATURE, **PHRASES}
    for n, text in enumerate(clauses):
        files[f"clauses/{n:04d}-c.yaml"] = textwrap.dedent(text)
    return MemoryLoader(files)


def messages(loader) -> list[str]:
    """Lint problems other than enum coverage (a small test library covers few enums)."""
    return [str(p) for p in lint(loader) if "geen clausule dekt" not in p.message]


def test_good_small_library_has_no_problems():
    assert messages(library(GOOD)) == []


def test_loader_reads_clauses_in_position_order():
    lib = library(GOOD).load()
    assert [c.id for c in lib.clauses] == ["bestuur", "ondertekening"]
    assert lib.get("bestuur").labels == {"bestuur", "bestuur.orgaan"}


def test_yaml_error_names_file_and_line():
    with pytest.raises(LibraryError) as info:
        library("id: x\ntitle: [oops\n").load()
    assert info.value.file == "clauses/0000-c.yaml" and info.value.line == 3


def test_structure_error_names_clause_and_line():
    broken = GOOD.replace("title: Bestuur\n", "")
    with pytest.raises(LibraryError) as info:
        library(broken).load()
    assert "'title' is a required property" in str(info.value)
    assert info.value.clause == "bestuur"


def test_duplicate_clause_id_is_an_error():
    with pytest.raises(LibraryError, match="komt ook voor"):
        library(GOOD, GOOD).load()


# One broken clause per kind of problem lint must catch: (change to GOOD, expected message part).
BROKEN = {
    "unknown variable": (("De Overeenkomst kent een orgaan.", "De Overeenkomst kent {{ orgaan_naam }}."),
                         "onbekende variabele 'orgaan_naam'"),
    "unknown field": (("De Overeenkomst kent een orgaan.", "De Overeenkomst kent {{ governance.bodyname }}."),
                      "onbekend veld 'governance.bodyname'"),
    "undeclared parameter": (("De Overeenkomst kent een orgaan.",
                              "De Overeenkomst kent {{ governance.body_name }}."),
                             "'governance.body_name' wordt gebruikt maar staat niet onder parameters"),
    "parameter not in schema": (("uses: [Overeenkomst]", "uses: [Overeenkomst]\nparameters: [governance.size]"),
                                "parameter 'governance.size' bestaat niet"),
    "unresolved reference": (("ref('bestuur.orgaan')", "ref('bestuur.raad')"),
                             "verwijzing naar onbekend label 'bestuur.raad'"),
    "computed reference": (("ref('bestuur.orgaan')", "ref(body)"), "ref() moet een vast label krijgen"),
    "undefined term": (("uses: [Overeenkomst]", "uses: [Overeenkomst, Stuurgroep]"),
                       "gebruikt begrip 'Stuurgroep', maar geen clausule definieert het"),
    "term defined but never used": (("    definition: deze overeenkomst\n",
                                     "    definition: deze overeenkomst\n  - term: Werkdag\n"
                                     "    definition: een dag\n"),
                                    "begrip 'Werkdag' wordt gedefinieerd maar nergens gebruikt"),
    "condition does not parse": (("  - text: Zie artikel", "  - when: \"resources.model ==\"\n    text: Zie artikel"),
                                 "voorwaarde (voorwaarde) parseert niet"),
    "text does not parse": (("Zie artikel {{ ref('bestuur.orgaan') }}.", "Zie artikel {{ ref('bestuur.orgaan') }."),
                            "tekst (tekst) parseert niet"),
    "private attribute": (("De Overeenkomst kent een orgaan.", "De Overeenkomst kent {{ body.__class__ }}."),
                          "het attribuut '__class__' is in de sandbox niet toegestaan"),
}


@pytest.mark.parametrize("case", sorted(BROKEN), ids=str)
def test_lint_catches(case):
    (old, new), expected = BROKEN[case]
    assert old in GOOD
    found = messages(library(GOOD.replace(old, new, 1)))
    assert any(expected in m for m in found), found
    assert all(m.startswith("clauses/0000-c.yaml:") for m in found if expected in m)
    assert any("clausule bestuur" in m for m in found if expected in m)


VARIANTS = """
id: middelen
version: 1.0.0
status: draft
title: Middelen
position: 300
topic: resources
parameters: [resources.model]
variants:
  - id: M1
    when: "resources.model == 'allocation_key'"
    summary: Vaste sleutel.
    members:
      - text: Er is een vaste sleutel.
  - id: MX
    when: "resources.model == 'fixed_key'"
    summary: Bestaat niet.
    members:
      - text: Deze variant kan niet.
  - id: M4
    summary: De rest.
    members:
      - text: Ieder draagt zijn kosten.
  - id: M5
    when: "resources.model == 'own_costs'"
    summary: Na de terugvaloptie.
    members:
      - text: Nooit bereikt.
"""


def test_lint_catches_a_term_used_but_not_declared():
    other = GOOD.replace("id: bestuur", "id: ander").replace("position: 200", "position: 300")
    other = other.replace("defines:\n  - term: Overeenkomst\n    definition: deze overeenkomst\n", "")
    other = other.replace("uses: [Overeenkomst]", "uses: []").replace("bestuur.orgaan", "ander.orgaan")
    found = messages(library(GOOD, other))
    assert found == ["clauses/0001-c.yaml:7: clausule ander: de tekst gebruikt begrip 'Overeenkomst', maar het "
                     "staat niet onder uses"]


def test_lint_catches_variants_that_can_never_be_selected():
    found = messages(library(GOOD, VARIANTS))
    assert any("'fixed_key' is geen waarde van resources.model" in m and ":15:" in m for m in found), found
    assert any("variant M5 kan nooit worden gekozen" in m for m in found), found


def test_lint_catches_enum_values_no_clause_covers():
    problems = [p.message for p in lint(library(GOOD, VARIANTS))]
    assert any("'output_based' van resources.model" in m for m in problems)
    assert not any("'allocation_key' van resources.model" in m for m in problems)
    assert not any("van language" in m for m in problems)  # one value: nothing to choose


# witnesses: every variant names the answers that select it ------------------------------------------------

def _signature(witness_samen: str, witness_apart: str = "witness: {base: twee-partijen, shows: [ondertekend]}"
               ) -> MemoryLoader:
    """The signature clause with the witness of its first variant (and of its second) replaced; a witness
    without ``shows`` gets one."""
    if witness_samen.startswith("witness: {") and "shows" not in witness_samen:
        witness_samen = witness_samen.replace("witness: {", "witness: {shows: [zesvoud], ")
    text = SIGNATURE.replace("witness: {base: dak-en-thuis, shows: [zesvoud]}", witness_samen)
    return MemoryLoader({"library.yaml": META, **PHRASES, "clauses/9000-ondertekening.yaml":
                         text.replace("witness: {base: twee-partijen, shows: [ondertekend]}", witness_apart)})


def witness_problems(loader) -> list[str]:
    return [str(p) for p in lint(loader) if "witness" in p.message]


def test_lint_names_a_variant_without_a_witness():
    found = witness_problems(_signature("witness: {base: dak-en-thuis}", ""))
    assert found == ["clauses/9000-ondertekening.yaml:17: clausule ondertekening: variant apart heeft geen witness "
                     "(de antwoorden die haar kiezen)"]


def test_lint_names_a_witness_that_shows_no_words():
    found = witness_problems(_signature("witness:\n      base: dak-en-thuis"))
    assert len(found) == 1 and "witness van variant samen noemt geen woorden (shows)" in found[0], found


def test_a_clause_without_variants_needs_no_witness():
    assert witness_problems(library(GOOD)) == []


@pytest.mark.parametrize("witness, message", [
    ("witness: {base: twee-partijen}", "witness van variant samen kiest variant apart"),
    ("witness: {base: twee-partijen, changes: {alliance.signing.mode: together}}", None),
    ("witness: {base: dak-en-thuis, changes: {alliance.signing.mode: separately}}",
     "witness van variant samen kiest variant apart"),
    ("witness: {base: onbekend}", "witness van variant samen: geen voorbeeld 'onbekend' in examples/"),
    ("witness: {base: dak-en-thuis, changes: {alliance.signing.modus: together}}",
     "witness van variant samen: 'alliance.signing.modus' is geen veld van de antwoordenset"),
    ("witness: {base: dak-en-thuis, remove: [parties.0.kvk_nummer]}",
     "witness van variant samen: 'parties.0.kvk_nummer' is geen veld van de antwoordenset"),
    ("witness: {base: dak-en-thuis, remove: [alliance]}", "witness van variant samen is geen geldige antwoordenset"),
    ("witness: {base: dak-en-thuis, changes: {alliance.signing.mode: apart}}",
     "witness van variant samen is geen geldige antwoordenset"),
    ("witness: {base: twee-partijen, changes: {parties.5.name: X}}", "witness van variant samen: pad bestaat niet"),
])
def test_lint_checks_that_a_witness_selects_its_variant(witness, message):
    found = witness_problems(_signature(witness))
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and message in found[0] and ":13:" in found[0], found


def test_a_witness_is_loaded_with_its_changes_and_words():
    clause = _signature("witness: {base: twee-partijen, changes: {alliance.signing.mode: together, "
                        "parties.0.name: X}, remove: [document.version_label], shows: [zesvoud]}"
                        ).load().get("ondertekening")
    witness = clause.variants[0].witness
    assert witness.base == "twee-partijen" and witness.shows == ("zesvoud",)
    assert witness.remove == ("document.version_label",)
    assert witness.changes == (("alliance.signing.mode", "together"), ("parties.0.name", "X"))
    answers = witness.apply(example("twee-partijen"))
    assert answers["alliance"]["signing"]["mode"] == "together" and answers["parties"][0]["name"] == "X"
    assert "version_label" not in answers["document"] and answers != example("twee-partijen")


def test_installed_library_lints_clean():
    problems = lint(DirectoryLoader())
    assert problems == [], "\n".join(map(str, problems))


# the sandbox: a clause that reaches for Python's internals fails lint and fails assembly ------------------

#: Clause text that tries to leave the sandbox, with the attribute lint names.
ESCAPES = {
    "class and mro of a constant": ("{{ ''.__class__.__mro__ }}", "__class__"),
    "globals through cycler": ("{{ cycler.__init__.__globals__ }}", "__globals__"),
    "the template's own context": ("{{ self._TemplateReference__context }}", "_TemplateReference__context"),
    "a private name": ("{{ governance._body }}", "_body"),
    "a subscript": ("{{ body['__class__'] }}", "__class__"),
    "the attr filter": ("{{ body | attr('__globals__') }}", "__globals__"),
    "subclasses in a loop": ("{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
                             "__subclasses__"),
    "a format string": ("{{ '{0.__class__}'.format(body) }}", "format"),
    "the mro of a type": ("{{ dict.mro() }}", "mro"),
    "a helper's result": ("{{ party(parties[0].id).__class__ }}", "__class__"),
}


def _escaping(text: str) -> MemoryLoader:
    return library(GOOD.replace("De Overeenkomst kent een orgaan.", f"De Overeenkomst kent {text}."))


@pytest.mark.parametrize("case", sorted(ESCAPES), ids=str)
def test_lint_refuses_a_sandbox_escape(case):
    text, attribute = ESCAPES[case]
    found = messages(_escaping(text))
    expected = f"clauses/0000-c.yaml:12: clausule bestuur: het attribuut '{attribute}' is in de sandbox niet toegestaan"
    assert expected in found, found


@pytest.mark.parametrize("case", sorted(ESCAPES), ids=str)
def test_assembly_refuses_a_sandbox_escape_naming_the_clause(case):
    text, _ = ESCAPES[case]
    with pytest.raises(LibraryError) as info:
        assemble(example("twee-partijen"), _escaping(text).load())
    assert (info.value.clause, info.value.file, info.value.line) == ("bestuur", "clauses/0000-c.yaml", 12)


def test_a_helper_error_names_the_clause():
    with pytest.raises(LibraryError, match=r"^clauses/0000-c.yaml:12, clausule bestuur: party\('x'\): geen partij"):
        assemble(example("twee-partijen"), _escaping("{{ party('x').name }}").load())


def test_a_condition_that_cannot_be_computed_names_the_clause():
    loader = library(GOOD.replace("position: 200\n", "position: 200\ninclude: \"alliance.name > 3\"\n"))
    with pytest.raises(LibraryError, match="kan niet worden uitgerekend: TypeError") as info:
        assemble(example("twee-partijen"), loader.load())
    assert (info.value.clause, info.value.file) == ("bestuur", "clauses/0000-c.yaml")


@pytest.mark.parametrize("lang, expected", [
    ("nl", r"^clauses/0000-c.yaml:12, clausule bestuur: party\('x'\): geen partij met dit id$"),
    ("en", r"^clauses/0000-c.yaml:12, clause bestuur: party\('x'\): no party with this id$"),
])
def test_a_library_error_speaks_the_language_of_the_command_line(lang, expected):
    from agreement_engine.i18n import language
    with language(lang), pytest.raises(LibraryError, match=expected):
        assemble(example("twee-partijen"), _escaping("{{ party('x').name }}").load())


def test_a_broken_library_file_speaks_english_under_lang_en():
    from agreement_engine.i18n import language
    with language("en"), pytest.raises(LibraryError, match="also occurs in"):
        library(GOOD, GOOD).load()
    with language("en"), pytest.raises(LibraryError, match="not valid YAML"):
        library("id: x\ntitle: [oops\n").load()


@pytest.mark.parametrize("lang, expected", [("nl", "geen clausule van soort 'signature'"),
                                            ("en", "no clause of kind 'signature'")])
def test_a_library_without_a_signature_clause_says_so(lang, expected):
    from agreement_engine.i18n import language
    with language(lang), pytest.raises(LibraryError, match=expected):
        assemble(example("twee-partijen"), MemoryLoader({"library.yaml": META, "clauses/0000-c.yaml": GOOD,
                                                                  **PHRASES}).load())
