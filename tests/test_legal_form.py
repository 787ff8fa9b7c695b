"""Legal review round 1, the parties, the form and the frame of the agreement: comparitie, recitals, definitions,
conditions precedent and warranties, closing articles, signature and title, for two parties and for many."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from agreement_engine.answers import normalize
from agreement_engine.assemble import assemble
from agreement_engine.validate import validate
from agreement_engine.word import render_docx
from conftest import run, variation

#: The articles this part of the library owns, by clause id.
OWN_ARTICLES = ("definities", "doel", "karakter", "meerjarenplan", "voorwaarden", "wijziging", "slotbepalingen")

BURGEMEESTER = {"name": "de heer J. Visser", "function": "burgemeester", "basis": "statutory"}
WETHOUDER = {"name": "mevrouw K. Bos", "function": "wethouder Zorg", "basis": "power_of_attorney",
             "appointment": {"date": "2026-11-02", "reference": "BM-2026-17"}}


def gemeente(representatives: list, **extra) -> dict:
    """Return a gemeente as the second party of a two-party set (a member, so that two members remain)."""
    return {"id": "zwolle", "name": "Gemeente Zwolle", "short_name": "de Gemeente", "legal_form": "gemeente",
            "address": {"street": "Grote Kerkplein 15", "postal_code": "8011 PK", "city": "Zwolle"},
            "representatives": representatives, **extra}


def two(*changes) -> dict:
    """Return the two-party example with the changes applied."""
    return variation("twee-partijen", *changes)


def many(*changes) -> dict:
    """Return the six-party example (with a gemeente as commissioner) with the changes applied."""
    return variation("dak-en-thuis", *changes)


def with_gemeente(representatives: list, **extra) -> dict:
    return two(["set", ["parties", 1], gemeente(representatives, **extra)],
               ["set", ["resources", "contributions"], {"buurtwerk": 7500, "zwolle": 2500}])


def article_text(agreement, clause_id: str) -> str:
    article = agreement.article(clause_id)
    return "\n".join(line for m in article.members for line in (m.body.text, *(i.text for i in m.items)))


def own_text(agreement) -> str:
    """Return the comparitie, the recitals and the articles of this part, as rendered."""
    head = [p.text for p in (*agreement.comparitie, *agreement.comparitie_closing, *agreement.recitals)]
    present = {a.clause_id for a in agreement.articles}
    return "\n".join(head + [article_text(agreement, c) for c in OWN_ARTICLES if c in present]
                     + [agreement.signature_intro.text])


def codes(answers: dict) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in validate(answers):
        found.setdefault(f.code, []).append(f)
    return found


# --- point 1: the gemeente is represented by its burgemeester or by his aanwijzing -----------------------------

@pytest.mark.parametrize("answers, expected, absent", [
    (lambda: with_gemeente([BURGEMEESTER]),
     "te dezen vertegenwoordigd door de heer J. Visser, burgemeester, ingevolge artikel 171 lid 1 van de "
     "Gemeentewet, handelend ter uitvoering van", "171 lid 2"),
    (lambda: with_gemeente([WETHOUDER]),
     "te dezen vertegenwoordigd door mevrouw K. Bos, wethouder Zorg, krachtens aanwijzing door de burgemeester "
     "van 2 november 2026, kenmerk BM-2026-17, als bedoeld in artikel 171 lid 2 van de Gemeentewet", "171 lid 1"),
    (lambda: many(),
     "mevrouw A.C. (Anouk) de Groot, wethouder Volksgezondheid en Welzijn, krachtens aanwijzing door de "
     "burgemeester van 24 november 2026, kenmerk BM/2026/0912, als bedoeld in artikel 171 lid 2 van de "
     "Gemeentewet, handelend ter uitvoering van het besluit van het college van burgemeester en wethouders van "
     "10 november 2026, kenmerk MO/2026/4817, genomen op grond van artikel 160 lid 1 onder e van de Gemeentewet",
     "171 lid 1"),
], ids=["two-burgemeester", "two-wethouder", "many-wethouder"])
def test_the_gemeente_signs_under_lid_1_only_by_its_burgemeester(answers, expected, absent):
    comparitie = "\n".join(p.text for p in assemble(answers()).comparitie)
    assert expected in comparitie
    assert absent not in comparitie


def test_a_burgemeester_and_an_appointed_wethouder_each_get_their_own_basis():
    comparitie = assemble(with_gemeente([BURGEMEESTER, WETHOUDER])).comparitie[1].text
    assert ("de heer J. Visser, burgemeester, ingevolge artikel 171 lid 1 van de Gemeentewet, en mevrouw K. Bos, "
            "wethouder Zorg, krachtens aanwijzing door de burgemeester van 2 november 2026") in comparitie
    assert "gezamenlijk handelend ter uitvoering van het daartoe strekkende besluit" in comparitie


@pytest.mark.parametrize("representative, code, path", [
    ({"name": "mevrouw K. Bos", "function": "wethouder Zorg", "basis": "statutory"},
     "party.gemeente_not_burgemeester", "$.parties[1].representatives[0].function"),
    ({"name": "mevrouw K. Bos", "function": "wethouder Zorg"},
     "schema.required", "$.parties[1].representatives[0].basis"),
    ({"name": "mevrouw K. Bos", "function": "wethouder Zorg", "basis": "power_of_attorney"},
     "schema.required", "$.parties[1].representatives[0].appointment"),
    ({"name": "mevrouw K. Bos", "function": "wethouder Zorg", "basis": "power_of_attorney", "appointment": {}},
     "schema.range", "$.parties[1].representatives[0].appointment"),
])
def test_a_gemeente_representative_without_legal_basis_is_an_error_naming_the_party(representative, code, path):
    found = [f for f in validate(with_gemeente([representative])) if f.code == code]
    assert [f.path for f in found] == [path]
    assert found[0].severity.value == "error"
    assert found[0].message.startswith("Partij 2 (Gemeente Zwolle): ")
    if not path.endswith(".basis"):
        assert "171 lid" in found[0].message


def test_the_many_party_example_errs_when_the_wethouder_loses_the_aanwijzing():
    answers = many(["remove", ["parties", 5, "representatives", 0, "appointment"]])
    assert [f.message for f in codes(answers)["schema.required"]] == [
        "Partij 6 (Gemeente Utrecht): Aanwijzing door de burgemeester (art. 171 lid 2 Gemeentewet) ontbreekt; "
        "dit veld is verplicht"]


def test_a_burgemeester_needs_no_basis_and_signs_under_lid_1():
    answers = with_gemeente([{"name": "de heer J. Visser", "function": "Burgemeester"}])
    assert not [f for f in validate(answers) if f.severity.value == "error"]
    assert "de heer J. Visser, Burgemeester, ingevolge artikel 171 lid 1 van de Gemeentewet" in \
        assemble(answers).comparitie[1].text


def test_an_aanwijzing_belongs_to_a_gemeente_only():
    answers = two(["set", ["parties", 0, "representatives", 0, "appointment"], {"reference": "X"}])
    assert [f.path for f in codes(answers)["party.appointment_not_gemeente"]] == \
        ["$.parties[0].representatives[0].appointment"]


def test_a_gemeente_kvk_number_is_printed():
    comparitie = assemble(with_gemeente([BURGEMEESTER], kvk="20167431")).comparitie[1].text
    assert ("kantoorhoudende aan het adres Grote Kerkplein 15, 8011 PK Zwolle, ingeschreven in het handelsregister "
            "van de Kamer van Koophandel onder nummer 20167431, te dezen") in comparitie


# --- point 5: a condition can still be fulfilled after signing; one already fulfilled is a warranty ---------------

@pytest.mark.parametrize("answers, code, path", [
    (lambda: many(["set", ["conditions", 0, "deadline"], "2026-12-15"]),
     "condition.deadline_not_after_signing", "$.conditions[0].deadline"),
    (lambda: many(["set", ["conditions", 0, "deadline"], "2026-11-30"]),
     "condition.deadline_not_after_signing", "$.conditions[0].deadline"),
    (lambda: many(["remove", ["conditions", 0, "deadline"]], ["set", ["alliance", "signing", "date"], "2027-01-01"],
                  ["set", ["conditions", 1, "deadline"], "2027-01-02"], ["set", ["conditions", 3, "deadline"],
                                                                          "2027-01-02"]),
     "condition.start_not_after_signing", "$.conditions[0]"),
    (lambda: two(["set", ["alliance", "signing"], {"date": "2027-02-01", "mode": "separately"}],
                 ["set", ["conditions"], [{"party": "eettafel", "condition": "de ALV heeft ingestemd",
                                           "deadline": "2027-01-31"}]]),
     "condition.deadline_not_after_signing", "$.conditions[0].deadline"),
])
def test_a_condition_that_has_failed_at_signing_is_an_error(answers, code, path):
    found = codes(answers())
    assert [f.path for f in found[code]] == [path]
    assert found[code][0].severity.value == "error"
    assert found[code][0].message.startswith("Partij ")
    with pytest.raises(Exception):
        assemble(answers())


def test_a_deadline_the_day_after_signing_is_accepted():
    assert "condition.deadline_not_after_signing" not in codes(many(["set", ["conditions", 0, "deadline"],
                                                                     "2026-12-16"]))


def test_the_many_party_example_turns_the_fulfilled_condition_into_a_warranty():
    agreement = assemble(many())
    text = article_text(agreement, "voorwaarden")
    assert ("De Gemeente verklaart jegens de overige Partijen en staat ervoor in dat op de datum waarop zij de "
            "Overeenkomst ondertekent, het volgende het geval is: de gemeenteraad van Utrecht heeft in de "
            "begroting 2027") in text
    assert "voor de Gemeente:" not in text
    annex = next(a for a in agreement.annexes if a.label == "bijlage.voorwaarden")
    assert [row.cells[0] for row in annex.rows] == ["Stichting De Haven", "Stichting Onder Dak",
                                                    "Stichting Zorgpunt GGZ"]


def test_the_conditions_are_a_list_one_item_per_condition():
    agreement = assemble(many())
    first = agreement.article("voorwaarden").members[0]
    assert first.body.text.endswith("die ook per Partij zijn opgenomen in Bijlage 3:")
    assert [i.text.split(":")[0] for i in first.items] == ["voor De Haven", "voor Onder Dak", "voor Zorgpunt GGZ"]
    assert first.items[0].text.endswith(";") and first.items[1].text.endswith("; en")
    assert first.items[2].text.endswith("alleen Zorgpunt GGZ van deze voorwaarde afstand kan doen.")


TWO_WITH_CONDITIONS = [
    ["set", ["alliance", "signing"], {"date": "2027-01-15", "mode": "separately"}],
    ["set", ["conditions"], [
        {"party": "eettafel", "condition": "de algemene ledenvergadering van De Eettafel heeft ingestemd",
         "waivable_by": "party"},
        {"party": "buurtwerk", "condition": "de raad van toezicht van Buurtwerk Zwolle heeft ingestemd",
         "form": "warranty"},
        {"party": "eettafel", "condition": "de gemeente Zwolle heeft de subsidie 2027 verleend.",
         "form": "warranty"}]]]


def test_two_parties_read_conditions_and_warranties_without_other_parties():
    agreement = assemble(two(*TWO_WITH_CONDITIONS))
    text = article_text(agreement, "voorwaarden")
    assert "overige Partijen" not in text
    assert "Is een Opschortende Voorwaarde niet uiterlijk op de daarvoor geldende datum vervuld en is daarvan ook " \
           "geen afstand gedaan, dan treedt de Overeenkomst niet in werking." in text
    assert "uiterlijk te vervullen op de Ingangsdatum" in text
    assert ("Iedere hierna genoemde Partij verklaart jegens de andere Partij en staat ervoor in dat op de datum "
            "waarop zij de Overeenkomst ondertekent, het volgende het geval is:\n"
            "voor Buurtwerk Zwolle: de raad van toezicht van Buurtwerk Zwolle heeft ingestemd; en\n"
            "voor De Eettafel: de gemeente Zwolle heeft de subsidie 2027 verleend.") in text
    annex = next(a for a in agreement.annexes if a.label == "bijlage.voorwaarden")
    assert [r.cells[2] for r in annex.rows] == ["1 maart 2027"]  # the Ingangsdatum, as article 4.1 says


def test_warranties_alone_need_no_annex_and_no_conditions_precedent():
    agreement = assemble(two(["set", ["conditions"], [TWO_WITH_CONDITIONS[1][2][1]]]))
    text = article_text(agreement, "voorwaarden")
    assert agreement.article("voorwaarden").variant_id == "zonder_voorwaarden"
    assert "Buurtwerk Zwolle verklaart jegens de andere Partij en staat ervoor in" in text
    assert not [a for a in agreement.annexes if a.label == "bijlage.voorwaarden"]


def test_a_warranty_with_a_deadline_is_warned_about():
    answers = many(["set", ["conditions", 2, "deadline"], "2026-11-30"])
    assert [f.severity.value for f in codes(answers)["condition.warranty_deadline"]] == ["warning"]


@pytest.mark.parametrize("answers", [lambda: many(), lambda: two(*TWO_WITH_CONDITIONS)], ids=["many", "two"])
def test_before_entry_into_force_definitions_and_closing_articles_apply(answers):
    agreement = assemble(answers())
    numbers = [agreement.number_of(c) for c in ("definities", "geheimhouding", "geschillen", "toepasselijk_recht",
                                                  "slotbepalingen")]
    expected = f"dit artikel en de artikelen {', '.join(numbers[:-1])} en {numbers[-1]} tussen Partijen van " \
               "toepassing"
    assert expected in article_text(agreement, "voorwaarden")
    assert numbers[0] == "1"


@pytest.mark.parametrize("answers", [lambda: many(), lambda: two(*TWO_WITH_CONDITIONS)], ids=["many", "two"])
def test_waiver_is_given_by_the_party_or_by_all(answers):
    text = article_text(assemble(answers()), "voorwaarden")
    assert "van de Partij die, of de Partijen die" not in text
    assert "Afstand van een Opschortende Voorwaarde wordt gedaan bij Schriftelijke verklaring." in text


# --- point 17: every default stated as a fact is noted in `check` --------------------------------------------

def test_check_notes_every_assumed_seat_basis_and_college_decision(tmp_path):
    answers = many(["remove", ["parties", 1, "seat"]], ["remove", ["parties", 5, "council_decision"]],
                   ["remove", ["parties", 0, "representatives", 1, "basis"]])
    source = tmp_path / "a.json"
    source.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", "--format", "json", str(source))
    notes = {(f["code"], f["path"]): f for f in json.loads(result.output)}
    seat = notes[("party.seat_assumed", "$.parties[1].seat")]
    assert seat["severity"] == "info"
    assert seat["message"] == "Partij 2 (Stichting Onder Dak): statutaire zetel niet opgegeven; aangenomen: Utrecht"
    assert notes[("party.basis_assumed", "$.parties[0].representatives[1].basis")]["message"].startswith(
        "Partij 1 (Stichting De Haven): grondslag van vertegenwoordiger 2 niet opgegeven")
    assert ("party.council_decision_assumed", "$.parties[5].council_decision") in notes
    assert result.exit_code == 0


def test_check_notes_the_seats_of_the_two_party_example_in_dutch_and_english(tmp_path):
    source = tmp_path / "a.json"
    source.write_text(json.dumps(two(["remove", ["parties", 0, "seat"]])), encoding="utf-8")
    dutch = run("check", str(source)).output
    english = run("--lang", "en", "check", str(source)).output
    assert "Partij 1 (Stichting Buurtwerk Zwolle): statutaire zetel niet opgegeven; aangenomen: Zwolle" in dutch
    assert "statutory seat not given; assumed: Zwolle" in english


def test_no_seat_note_for_a_gemeente_whose_seat_is_not_stated():
    assert "party.seat_assumed" not in {f.code for f in validate(many(["remove", ["parties", 5, "seat"]]))}


# --- point 20: two parties, the kind of the document, the title -----------------------------------------------

@pytest.mark.parametrize("kind, name, title", [
    ("covenant", "Convenant Warme Overdracht", "Convenant Warme Overdracht"),
    ("covenant", "convenant Warme Overdracht", "Convenant Warme Overdracht"),
    ("alliance", "Alliantie Dak en Thuis", "Alliantieovereenkomst Dak en Thuis"),
    ("cooperation", "Samenwerking Jeugd Noord", "Samenwerkingsovereenkomst Jeugd Noord"),
    ("cooperation", "Samenwerkingsovereenkomst Jeugd Noord", "Samenwerkingsovereenkomst Jeugd Noord"),
    ("alliance", "Convenant Warme Overdracht", "Alliantieovereenkomst Convenant Warme Overdracht"),
    ("covenant", "Samen aan Tafel", "Convenant Samen aan Tafel"),
])
def test_the_title_never_doubles_the_kind_word(kind, name, title):
    answers = two(["remove", ["document", "title"]], ["set", ["document", "kind"], kind],
                  ["set", ["alliance", "name"], name])
    assert normalize(answers)["document"]["title"] == title
    assert assemble(answers).title == title


@pytest.mark.parametrize("kind", ["cooperation", "covenant"])
@pytest.mark.parametrize("base", [two, many])
def test_a_cooperation_or_covenant_never_calls_itself_an_alliance(base, kind):
    answers = base(["set", ["document", "kind"], kind], ["set", ["alliance", "name"], "Warme Overdracht"],
                   ["set", ["alliance", "recitals"], ["Partijen de zorg in de regio willen verbeteren"]],
                   ["set", ["conditions"], []])
    answers["document"].pop("title", None)
    text = own_text(assemble(answers))
    assert "Alliantie" not in text and "alliantie" not in text
    assert "de Samenwerking" in text


@pytest.mark.parametrize("answers", [lambda: two(*TWO_WITH_CONDITIONS), lambda: two()], ids=["conditions", "plain"])
def test_two_parties_read_right_in_every_own_article(answers):
    text = own_text(assemble(answers()))
    for wrong in ("overige Partijen", "andere Partijen", "alle Partijen ondertekend",
                  "Partijen die lid zijn"):
        assert wrong not in text, wrong
    assert "door beide Partijen is ondertekend" in text


# --- point 21: the shipped example -----------------------------------------------------------------------------

def test_ambulante_ggz_is_bought_by_zorgverzekeraars_not_the_zorgkantoor():
    text = assemble(many()).text
    assert "zorgkantoor" not in text
    assert "de zorgverzekeraars met wie Zorgpunt GGZ voor 2027 een overeenkomst op grond van de " \
           "Zorgverzekeringswet sluit" in text


def test_the_examples_are_free_of_errors_and_warnings():
    for base in (two(), many()):
        assert {f.severity.value for f in validate(base)} <= {"info"}


# --- the minors --------------------------------------------------------------------------------------------------

def test_electronic_signing_cites_eidas_and_3_15a_and_never_sits_beside_n_voud():
    separately = article_text(assemble(two()), "slotbepalingen")
    assert ("Een gekwalificeerde elektronische handtekening heeft dezelfde rechtsgevolgen als een handgeschreven "
            "handtekening (artikel 25 lid 2 van Verordening (EU) nr. 910/2014); een andere elektronische "
            "handtekening heeft die rechtsgevolgen indien de daarbij gebruikte methode voldoende betrouwbaar is als "
            "bedoeld in artikel 3:15a van het Burgerlijk Wetboek.") in separately
    assert "één en dezelfde" not in separately
    together = assemble(many())
    assert "zesvoud" in together.signature_intro.text
    assert "elektronisch" not in article_text(together, "slotbepalingen")


def test_notices_go_to_the_address_in_the_comparitie():
    for answers in (two(), many()):
        text = article_text(assemble(answers), "mededelingen")  # the one notices rule (issue 14)
        assert "in de comparitie van de Overeenkomst is vermeld" in text and "aanhef" not in text


def test_no_circular_or_lower_case_definitions_in_own_articles():
    agreement = assemble(many())
    definitions = "\n".join(i.text for i in agreement.article("definities").members[0].items)
    assert ("Partijen: de ondergetekenden gezamenlijk, alsmede iedere rechtspersoon die op grond van artikel "
            f"{agreement.number_of('toetreding')} tot de Overeenkomst is toegetreden") in definitions
    assert "Partijen: alle Partijen" not in definitions
    for clause_id in OWN_ARTICLES:
        if clause_id != "definities" and clause_id in {a.clause_id for a in agreement.articles}:
            assert "(hierna:" not in article_text(agreement, clause_id), clause_id


def test_the_verdeelsleutel_annex_speaks_of_deelnemende_partijen():
    annex = next(a for a in assemble(many()).annexes if a.label == "bijlage.verdeelsleutel")
    intro = annex.paragraphs[0].text
    assert "over de Deelnemende Partijen." in intro and "die lid zijn" not in intro


def test_a_recital_that_repeats_dat_is_normalised():
    agreement = assemble(two(["set", ["alliance", "recitals"], ["dat Partijen elkaar al jaren kennen."]]))
    assert "Partijen elkaar al jaren kennen;" in [r.text for r in agreement.recitals]


@pytest.mark.parametrize("recital, warned", [
    ("De Gemeente wil de zorg in Zwolle verbeteren", True),
    ("Partijen willen hun aanbod bundelen", True),
    ("dat Partijen zijn van oordeel dat samenwerking loont", True),
    ("Partijen hun aanbod willen bundelen", False),
    ("de Gemeente de zorg in Zwolle wil verbeteren", False),
    ("Buurtwerk Zwolle de wijkcontacten inbrengt", False),
])
def test_a_recital_typed_as_a_main_clause_is_warned_about(recital, warned):
    found = codes(two(["set", ["alliance", "recitals"], [recital]])).get("recital.main_clause", [])
    assert bool(found) is warned
    if warned:
        assert found[0].path == "$.alliance.recitals[0]" and found[0].severity.value == "warning"


@pytest.mark.parametrize("count, warned", [(6, False), (7, True)])
def test_many_parties_signing_together_are_warned(count, warned):
    answers = many()
    for n in range(len(answers["parties"]), count):
        extra = json.loads(json.dumps(answers["parties"][1]))
        extra.update(id=f"extra{n}", name=f"Stichting Extra {n}", short_name=f"Extra {n}")
        answers["parties"].append(extra)
        answers["resources"]["shares"][f"extra{n}"] = 0
    found = codes(answers).get("signing.many_together", [])
    assert bool(found) is warned
    separately = json.loads(json.dumps(answers))
    separately["alliance"]["signing"]["mode"] = "separately"
    assert "signing.many_together" not in codes(separately)


def test_s_hertogenbosch_never_breaks_after_its_hyphen():
    answers = two(["set", ["parties", 0, "address", "city"], "'s-Hertogenbosch"],
                  ["set", ["parties", 0, "seat"], "'s-Hertogenbosch"])
    agreement = assemble(answers)
    assert "statutair gevestigd te 's-Hertogenbosch" in agreement.comparitie[0].text
    with zipfile.ZipFile(io.BytesIO(render_docx(agreement, provenance={}))) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert xml.count("'s</w:t><w:noBreakHyphen/><w:t>Hertogenbosch") == 2
    assert "'s-Hertogenbosch" not in xml


# --- found on reading the rendered pages -------------------------------------------------------------------------

def test_a_cooperation_is_entered_into_not_cooperated_in():
    agreement = assemble(two())
    assert article_text(agreement, "doel").startswith("Partijen gaan met de Overeenkomst de Samenwerking aan.")
    assert agreement.recitals[-1].text.startswith("Partijen hun afspraken over de Samenwerking en hun onderlinge")
    assert "samenwerking binnen de Samenwerking" not in own_text(agreement)


def test_one_condition_is_announced_in_the_singular():
    agreement = assemble(two(["set", ["conditions"], [TWO_WITH_CONDITIONS[1][2][0]]]))
    assert agreement.article("voorwaarden").members[0].body.text.startswith(
        "De Overeenkomst wordt aangegaan onder de volgende opschortende voorwaarde, die ook is opgenomen in Bijlage")


def test_the_comparitie_names_the_participants_of_the_alliance():
    closing = assemble(many()).comparitie_closing[0].text
    assert closing.endswith("als deelnemers aan de Alliantie,")


def test_no_party_acts_for_the_other_in_a_two_party_agreement():
    assert "Geen van Partijen is bevoegd namens de andere Partij rechtshandelingen te verrichten" in \
        article_text(assemble(two()), "slotbepalingen")


@pytest.mark.parametrize("base", [two, many])
def test_a_covenant_binds_by_default_and_names_only_the_intentions_that_do_not(base):
    agreement = assemble(base(["set", ["document", "kind"], "covenant"]))
    text = article_text(agreement, "karakter")
    numbers = {c: agreement.number_of(c) for c in ("doel", "meerjarenplan", "inzet", "karakter")}
    assert (f"De artikelen {numbers['doel']} (Doel en reikwijdte), {numbers['meerjarenplan']} (Meerjarenplan en "
            f"jaarplan) en {numbers['inzet']} (Inzet van Partijen), alsmede het Meerjarenplan en het Jaarplan, geven "
            "de gezamenlijke voornemens") in text
    assert "Alle andere bepalingen van de Overeenkomst, waaronder dit artikel" in text
    assert "binnen de Samenwerking te herstellen" not in text
    other = "de andere Partij" if base is two else "een andere Partij"
    assert f"Een Partij die meent dat {other} een bepaling als bedoeld in artikel {numbers['karakter']}.2" in text


@pytest.mark.parametrize("short_name, term", [(None, "de “Gemeente”"), ("Zwolle", "“Zwolle”")])
def test_a_single_gemeente_is_de_gemeente_unless_named_otherwise(short_name, term):
    party = gemeente([BURGEMEESTER])
    party.pop("short_name")
    if short_name:
        party["short_name"] = short_name
    answers = two(["set", ["parties", 1], party],
                  ["set", ["resources", "contributions"], {"buurtwerk": 7500, "zwolle": 2500}])
    agreement = assemble(answers)
    assert agreement.comparitie[1].text.endswith(f"(hierna: {term}),")
    assert "Gemeente Zwolle" not in "\n".join(p.text for p in agreement.recitals)
