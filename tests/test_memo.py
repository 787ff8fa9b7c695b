"""Texts kept across documents by the values they read: a document assembled with kept texts is the document
assembled without them, whatever answer changed; and a text that is not a function of its inputs is never kept."""
from __future__ import annotations

import copy
from decimal import InvalidOperation, localcontext

import pytest
from conftest import example
from hypothesis import HealthCheck, given, settings
from strategies import answer_sets

from agreement_engine.assemble import assemble_valid
from agreement_engine.findings import has_errors
from agreement_engine.library import default_library
from agreement_engine.templating import Templates
from agreement_engine.validate import validate

LIBRARY = default_library()
#: One memory of texts for the whole module, warmed by every document before it.
WARM: dict[str, Templates] = {}
#: Compiled once, but its memory of texts emptied before each document: what the engine did before.
COLD: dict[str, Templates] = {}


def cold(answers: dict):
    for compiled in COLD.values():
        compiled._memo.clear()
    return assemble_valid(answers, LIBRARY, compiled=COLD)


def warm(answers: dict):
    return assemble_valid(answers, LIBRARY, compiled=WARM)


def leaves(value, path=()):
    """Yield (path, value) for every string, number and truth value in ``value``."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaves(child, (*path, index))
    else:
        yield path, value


def changed(value):
    """Return another value of the same kind: a text one letter longer, a number one more, the other truth value."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return value


def put(answers: dict, path: tuple, value) -> dict:
    result = copy.deepcopy(answers)
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return result


@pytest.mark.parametrize("name", ["dak-en-thuis", "twee-partijen", "wijkteams-opdracht"])
def test_every_answer_changed_alone_gives_the_document_without_kept_texts(name):
    """Each answer of the example changed alone (where the change is still valid): the agreement assembled with
    every text kept so far equals the one assembled from scratch, and the change shows where a text reads it."""
    base = example(name)
    warm(base)
    unchanged = cold(base)
    hits, tried, visible = WARM["nl"].memo_hits, 0, 0
    for path, value in leaves(base):
        answers = put(base, path, changed(value))
        if has_errors(validate(answers)):
            continue
        tried += 1
        try:
            expected = cold(answers)
        except Exception as exc:  # noqa: BLE001 - a library that cannot assemble it: the same error both ways
            with pytest.raises(type(exc)):
                warm(answers)
            continue
        assert warm(answers) == expected, path
        visible += expected != unchanged
    assert tried > 20 and visible > 10
    assert WARM["nl"].memo_hits - hits > 100 * tried  # the kept texts were used, most of them each time


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets())
def test_any_valid_answer_set_gives_the_document_without_kept_texts(answers):
    try:
        expected = cold(answers)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            warm(answers)
        return
    assert warm(answers) == expected
    assert warm(answers) == expected  # once more, every text kept


def test_the_decimal_arithmetic_in_force_is_part_of_what_a_text_is_kept_by():
    answers = example("dak-en-thuis")
    answers["resources"]["annual_budget"] = 1234567.89
    usual = warm(answers)
    with localcontext() as arithmetic:
        arithmetic.prec = 6
        arithmetic.traps[InvalidOperation] = False  # a quantize beyond six digits gives NaN instead of failing
        try:
            narrow = cold(answers)
        except Exception as exc:  # noqa: BLE001 - six digits cannot hold the budget in cents
            with pytest.raises(type(exc)):
                warm(answers)
        else:
            assert warm(answers) == narrow
    assert warm(answers) == usual


@pytest.mark.parametrize("source", [
    "{{ parties | random }}", "{{ lipsum(1) }}", "{{ parties | map('random') | list }}",
    "{{ parties | map(name) | list }}", "{% include 'x' %}", "{{ 'random' }}", "{{ x | unknown_filter }}",
])
def test_a_text_that_draws_at_random_or_reads_another_template_is_never_kept(source):
    assert Templates().memo_names(source) is None


def test_a_text_that_prints_a_function_instead_of_calling_it_is_never_kept():
    t = Templates()
    assert t.only_called("{{ ref('a') }} {{ party('x').name }}") == {"ref", "party"}
    assert t.only_called("{{ ref }} {{ ref('a') }}") == frozenset()
    assert t.only_called("{{ parties | map(party) | list }}") == frozenset()


def test_the_names_of_a_text_are_every_name_it_reads_from_its_context():
    t = Templates()
    assert t.memo_names("{% for p in parties %}{{ p.name | upper }}{{ ref('x') }}{% endfor %}{{ alliance_term }}"
                        ) == ("alliance_term", "parties", "ref")
    assert t.memo_names("{% set a = body %}{{ a }}{{ n_parties | words }}") == ("body", "n_parties")
    assert t.memo_names("{{ range(n) | list }}") == ("n", "range")  # a context value named range comes first
    assert t.memo_names("{{ x | map(attribute='term') | join(', ') }}") == ("x",)


def test_kept_texts_and_their_shared_values_stay_within_their_limits(monkeypatch):
    """A batch of alliances that differ in their names keeps at most MEMO_SIZE texts and SHARED_SIZE values, and
    a document assembled after the memory started again is the document assembled without it."""
    from agreement_engine import templating

    monkeypatch.setattr(templating, "MEMO_SIZE", 300)
    monkeypatch.setattr(templating, "SHARED_SIZE", 4)
    kept: dict[str, Templates] = {}
    base = example("dak-en-thuis")
    sizes = []
    for i in range(6):
        answers = put(base, ("alliance", "name"), f"Alliantie {i}")
        assert assemble_valid(answers, LIBRARY, compiled=kept) == cold(answers)
        compiled, = kept.values()
        sizes.append((len(compiled._memo), len(compiled._shared)))
    assert all(memo <= 300 and shared <= 4 for memo, shared in sizes), sizes
    assert any(memo < before for (memo, _), (before, _) in zip(sizes[1:], sizes)), f"never started again: {sizes}"
    assert compiled.memo_hits > 0
