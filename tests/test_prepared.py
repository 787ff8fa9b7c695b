"""An answer set is laid out once per engine call chain, and what is kept never outlives the answers it was made of."""
from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES, example

from agreement_engine import assemble as assembly
from agreement_engine.engine import Engine
from agreement_engine.model import Agreement


@pytest.fixture
def layouts(monkeypatch) -> list[int]:
    """Count the layouts made (each is the choice of every clause and variant for one answer set)."""
    made: list[int] = []
    original = assembly.layout

    def counting(*args, **kwargs):
        made.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(assembly, "layout", counting)
    return made


def text(agreement: Agreement) -> str:
    return "\n".join(p.text for p in agreement.paragraphs()) + "\n".join(
        m.body.text for a in agreement.articles for m in a.members)


def test_render_with_comfort_needs_lays_the_agreement_out_once(layouts, tmp_path):
    answers = example("dak-en-thuis")
    assert answers["comfort"], "the example states needs, so the check evaluates comfort"
    engine = Engine()
    result = engine.render(answers, tmp_path / "a.docx")
    assert result.document.exists()
    assert len(layouts) == 1


def test_the_comfort_command_evaluates_comfort_once(layouts, tmp_path, monkeypatch):
    from agreement_engine import engine as engine_module

    evaluated = []
    original = engine_module.evaluate_comfort
    monkeypatch.setattr(engine_module, "evaluate_comfort", lambda *a, **k: evaluated.append(1) or original(*a, **k))
    engine = Engine()
    checked = engine.read(EXAMPLES / "dak-en-thuis.json")
    engine.comfort(checked)
    engine.comfort_overview(checked, tmp_path / "comfort.docx")
    assert (len(evaluated), len(layouts)) == (1, 1)


def test_answers_changed_after_the_check_are_assembled_as_they_are_now(layouts):
    engine = Engine()
    checked = engine.read(example("dak-en-thuis"))
    before = engine.assemble(checked)
    checked.answers["alliance"]["name"] = "Alliantie Ander Dak"
    after = engine.assemble(checked)
    assert "Alliantie Ander Dak" not in text(before) and after.alliance_name == "Alliantie Ander Dak"
    assert len(layouts) == 2


@pytest.mark.parametrize("change", [
    lambda a: a["parties"].reverse(),  # the same values in another order
    lambda a: a["resources"].update(annual_budget=float(a["resources"]["annual_budget"])),  # 1 -> 1.0
    lambda a: a["governance"].update(body_name=a["governance"]["body_name"] + " "),
])
def test_any_change_to_the_answers_is_prepared_anew(change, layouts):
    engine = Engine()
    checked = engine.read(example("dak-en-thuis"))
    kept = engine.prepared(checked)
    change(checked.answers)
    other = Engine()
    fresh = other.prepared(other.read(json.loads(json.dumps(checked.answers))))
    again = engine.prepared(checked)
    assert again is not kept and json.dumps(again.answers) == json.dumps(fresh.answers)
    assert len(layouts) == 3  # the first, the fresh one and the changed one again


def test_what_one_engine_kept_is_not_used_by_another(tmp_path):
    library = Engine().library
    first, second = Engine(library), Engine(library)
    checked = first.read(example("dak-en-thuis"))
    assert first.prepared(checked) is first.prepared(checked)
    assert second.prepared(checked) is not first.prepared(checked)


def test_a_checked_answer_set_pickles_and_copies_without_what_the_engine_kept():
    import copy
    import pickle

    engine = Engine()
    checked = engine.read(example("dak-en-thuis"))
    engine.prepared(checked)
    for other in (pickle.loads(pickle.dumps(checked)), copy.deepcopy(checked)):
        assert other == checked and other.work == {} and checked.work
