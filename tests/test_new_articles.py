"""The stand-alone articles of the second legal review, read back from the assembled agreement.

Overmacht, kosten, mededelingen en contactpersonen, integriteit, naam en logo: every choice has a witness
phrase (a variant's in its clause, ``witness``; the others in ``ENUM_CASES``, also used by test_clauses for the
every-enum-value check), and every article is read for two parties, for twenty, and with a gemeente that is
never treated as a provider.
"""
from __future__ import annotations

import re

import pytest
from conftest import apply_changes, example, run
from conftest import agreement_text as text, article_text as article

from agreement_engine.api import assemble
from agreement_engine.model import Ref
from agreement_engine.validate import validate
from agreement_engine.variant_options import options

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


#: (field, value): (example, changes, phrase the agreement must contain and no other value of the field gives)
ENUM_CASES = {
    ("publicity.name_use", "participants"): (D, [],
        "Iedere Deelnemende Partij mag de naam “Alliantie Dak en Thuis” en het logo van de Alliantie gebruiken"),
    ("publicity.name_use", "approval"): (D, [s(["publicity", "name_use"], "approval")],
        "slechts gebruiken na voorafgaande Schriftelijke toestemming van de Stuurgroep"),
}

GEMEENTE = {"id": "gemeente", "name": "Gemeente Zwolle", "short_name": "Gemeente", "legal_form": "gemeente",
            "role": "commissioner",
            "address": {"street": "Grote Kerkplein 15", "postal_code": "8011 PK", "city": "Zwolle"},
            "representatives": [{"name": "J. de Vries", "function": "burgemeester"}]}


def many(n: int) -> dict:
    """Return the Dak en Thuis alliance with ``n`` parties: its gemeente and n - 1 members sharing the key."""
    answers = example(D)
    gemeente = next(p for p in answers["parties"] if p["role"] == "commissioner")
    members = [p for p in answers["parties"] if p["role"] == "member"]
    template = members[0]
    while len(members) < n - 1:
        k = len(members) + 1
        members.append({**template, "id": f"partij{k}", "name": f"Stichting Partij {k}", "short_name": f"Partij {k}",
                        "kvk": f"{40000000 + k}"})
    members = members[:n - 1]
    answers["parties"] = members + [gemeente]
    share = round(100 / len(members), 2)
    shares = {p["id"]: share for p in members}
    shares[members[0]["id"]] = round(100 - share * (len(members) - 1), 2)
    answers["resources"]["shares"] = shares
    ids = {p["id"] for p in answers["parties"]}
    answers["conditions"] = [c for c in answers.get("conditions", []) if c["party"] in ids]
    answers["multi_year_plan"]["party_tasks"] = {k: v for k, v in answers["multi_year_plan"]["party_tasks"].items()
                                                 if k in ids}
    for law in ("wmo", "jeugdwet", "wkkgz"):
        answers["quality"][law] = [pid for pid in answers["quality"].get(law, []) if pid in ids]
    return answers




@pytest.mark.parametrize("case", list(ENUM_CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_each_choice_renders_its_own_text(case):
    base, changes, phrase = ENUM_CASES[case]
    assert phrase in text(apply_changes(example(base), changes))


# --- overmacht ---------------------------------------------------------------------------------------------

def test_overmacht_is_defined_against_article_6_75_and_names_the_hard_cases():
    body = text(example(D))
    assert re.search(r"Overmacht: een tekortkoming .* \(artikel 6:75 van het Burgerlijk Wetboek\)", body)
    overmacht = article(example(D), "overmacht")
    for phrase in ("een epidemie of pandemie", "een cyberincident", "een tekort aan medewerkers",
                   "artikel 6:76 van het Burgerlijk Wetboek", "het onvermogen om een geldsom te betalen levert "
                   "nimmer Overmacht op", "binnen vijf (5) Werkdagen", "langer dan drie (3) maanden"):
        assert phrase in overmacht, phrase


def test_overmacht_terms_follow_the_answers():
    answers = apply_changes(example(D), [s(["force_majeure"], {"notice_days": 10, "termination_months": 6})])
    overmacht = article(answers, "overmacht")
    assert "binnen tien (10) Werkdagen" in overmacht and "langer dan zes (6) maanden" in overmacht


@pytest.mark.parametrize("n, phrase, absent", [
    (2, "dan kan de andere Partij de Overeenkomst Schriftelijk met onmiddellijke ingang opzeggen",
     "de Stuurgroep besluiten haar deelname"),
    (20, "dan kan de Stuurgroep besluiten haar deelname aan de Overeenkomst met onmiddellijke ingang te "
         "beëindigen; de vertegenwoordigers van de getroffen Deelnemende Partij nemen aan de stemming", "opzeggen"),
])
def test_overmacht_termination_reads_right_for_two_and_for_twenty(n, phrase, absent):
    answers = example(T) if n == 2 else many(n)
    overmacht = article(answers, "overmacht")
    assert phrase in overmacht
    assert absent not in overmacht.split("getroffen Partij beperkt")[1]
    if n == 2:
        assert "de overige Partijen" not in overmacht and "een of meer andere" not in overmacht


def test_a_gemeente_in_overmacht_is_never_terminated_like_a_provider():
    overmacht = article(example(D), "overmacht")
    assert "Het vorige lid is niet van toepassing op de Gemeente." in overmacht
    assert "Treft de Overmacht een Deelnemende Partij" in overmacht


# --- kosten ------------------------------------------------------------------------------------------------

def test_joint_costs_between_two_parties_without_a_commissioner():
    answers = apply_changes(example(T), [s(["costs"], {"joint_advisers": "equal"})])
    kosten = article(answers, "kosten")
    assert "in gelijke delen door de Partijen gedragen. Nieuwe" in kosten and "draagt daarin niet bij" not in kosten


# --- mededelingen en contactpersonen -----------------------------------------------------------------------

CONTACTS = {"dehaven": {"name": "mevrouw A. Jansen", "function": "programmamanager", "email": "alliantie@dehaven.nl"},
            "gemeente": {"name": "de heer B. de Boer", "email": "b.deboer@utrecht.nl"}}


def test_contact_persons_go_into_an_annex_the_article_refers_to():
    answers = apply_changes(example(D), [s(["notices"], {"contacts": CONTACTS})])
    agreement = assemble(answers)
    annex = next(a for a in agreement.annexes if a.label == "bijlage.contactpersonen")
    assert annex.title == "Contactpersonen voor mededelingen"
    assert [r.cells for r in annex.rows] == [
        ("Stichting De Haven", "mevrouw A. Jansen", "programmamanager", "alliantie@dehaven.nl"),
        ("Gemeente Utrecht", "de heer B. de Boer", "", "b.deboer@utrecht.nl")]
    notices = article(answers, "mededelingen")
    assert f"zijn vermeld in Bijlage {annex.number}." in notices
    assert "Onder Dak, Straatwaarde, Schuldhulp Utrecht en Zorgpunt GGZ wijzen ieder binnen tien (10) Werkdagen" \
        in notices
    assert "geldt niet als een wijziging van de Overeenkomst als bedoeld in artikel" in notices
    missing = [f for f in validate(answers) if f.code == "notices.contact_missing"]
    assert [f.message.split(":")[0] for f in missing] == [
        "Partij 2 (Stichting Onder Dak)", "Partij 3 (Vereniging Straatwaarde)",
        "Partij 4 (Stichting Schuldhulp Utrecht)", "Partij 5 (Stichting Zorgpunt GGZ)"]


def test_without_contacts_each_party_names_one_and_there_is_no_annex():
    agreement = assemble(example(T))
    assert not [a for a in agreement.annexes if a.label == "bijlage.contactpersonen"]
    notices = article(example(T), "mededelingen")
    assert "Iedere Partij wijst binnen tien (10) Werkdagen na de ondertekening" in notices
    assert "aan de andere Partij en aan de Stuurgroep" in notices


# --- integriteit -------------------------------------------------------------------------------------------

def test_conflicts_of_interest_name_the_configured_body():
    answers = apply_changes(example(D), [s(["governance", "body_name"], "Alliantieraad")])
    integrity = article(answers, "integriteit")
    assert "meldt dat onverwijld aan de voorzitter van de Alliantieraad" in integrity
    assert "Stuurgroep" not in integrity
    assert "artikelen 177, 328ter en 363 van het Wetboek van Strafrecht" in integrity
    assert "Huis voor Klokkenluiders" in integrity


# --- naam, logo en publiciteit -----------------------------------------------------------------------------

def test_name_and_logo_rights_holder_spokesperson_and_no_firm():
    publicity = article(example(D), "publiciteit")
    assert publicity.startswith("Iedere Deelnemende Partij mag de naam “Alliantie Dak en Thuis”")
    assert "De Haven laat de naam en het logo van de Alliantie" in publicity
    assert "door de voorzitter van de Stuurgroep of door degene" in publicity
    assert "artikel 16 van het Wetboek van Koophandel" in publicity
    assert "De Overeenkomst beperkt de Gemeente niet in de informatieverstrekking aan de gemeenteraad" in publicity
    spoken = apply_changes(example(D), [s(["publicity", "spokesperson"], "gemeente")])
    assert "openbaar worden gedaan door de Gemeente of door degene" in article(spoken, "publiciteit")


def test_two_party_cooperation_does_not_call_itself_an_alliance_in_the_new_articles():
    for clause_id in ("overmacht", "kosten", "mededelingen", "integriteit", "publiciteit"):
        assert "Alliantie" not in article(example(T), clause_id), clause_id


# --- references, findings, library and variants ------------------------------------------------------------

#: Each reference from a new article, and a word the referenced article or member must contain.
REFERENCES = [("overmacht", "uittreding", "opzeg"), ("overmacht", "beeindiging", "afwikkel"),  # two parties
              ("mededelingen", "mededelingen.adres", "Mededelingen"), ("mededelingen", "definities", "Schriftelijk"),
              ("mededelingen", "wijziging", "wijzig"), ("integriteit", "uitsluiting", "uitsluiting"),
              ("publiciteit", "slot.geen_maatschap", "maatschap"), ("publiciteit", "geheimhouding", "geheim"),
              ("publiciteit", "intellectuele_eigendom", "Gezamenlijke Resultaten")]


@pytest.mark.parametrize("source, label, keyword", REFERENCES, ids=lambda v: str(v))
def test_every_reference_lands_on_the_text_it_means(source, label, keyword):
    base = example(T) if label == "beeindiging" else example(D)
    contacts = CONTACTS if label != "beeindiging" else {"buurtwerk": CONTACTS["dehaven"]}
    answers = apply_changes(base, [s(["notices"], {"contacts": contacts, "formal_notices": "letter"})])
    agreement = assemble(answers)
    article_of = next(a for a in agreement.articles if a.clause_id == source)
    refs = [seg for m in article_of.members for p in (m.body, *m.items) for seg in p.segments if isinstance(seg, Ref)]
    target = next(r for r in refs if r.label == label)
    if "." in target.number:
        number, member = target.number.split(".")
        found = next(a for a in agreement.articles if str(a.number) == number).members[int(member) - 1].body.text
    else:
        found_article = next(a for a in agreement.articles if str(a.number) == target.number)
        found = found_article.title + " " + " ".join(m.body.text + " ".join(i.text for i in m.items)
                                                     for m in found_article.members)
    assert keyword.lower() in found.lower()


RULES = [
    ([s(["costs"], {"joint_advisers": "allocation_key"})], T, "costs.key_without_allocation", "$.costs.joint_advisers"),
    ([s(["publicity"], {"rights_holder": "gemeente"})], D, "publicity.rights_holder_not_member",
     "$.publicity.rights_holder"),
    ([s(["publicity"], {"spokesperson": "niemand"})], D, "party.unknown_reference", "$.publicity.spokesperson"),
    ([s(["publicity"], {"transition_months": 4})], T, "publicity.ignored_field", "$.publicity.transition_months"),
    ([s(["notices"], {"contacts": {"onbekend": {"name": "A", "email": "a@b.nl"}}})], T, "party.unknown_reference",
     "$.notices.contacts.onbekend"),
    ([s(["notices"], {"contacts": {"buurtwerk": {"name": "A", "email": "geen adres"}}})], T, "schema.pattern",
     "$.notices.contacts.buurtwerk.email"),
]


@pytest.mark.parametrize("changes, base, code, path", RULES, ids=lambda v: v if isinstance(v, str) else None)
def test_risky_or_wrong_choices_have_a_finding(changes, base, code, path):
    findings = validate(apply_changes(example(base), changes))
    assert (code, path) in {(f.code, f.path) for f in findings}


@pytest.mark.parametrize("clause_id", ["overmacht", "kosten", "mededelingen", "integriteit", "publiciteit"])
def test_library_show_shows_the_new_article(clause_id):
    result = run("library", "show", clause_id)
    assert result.exit_code == 0, result.output
    assert clause_id in result.output


@pytest.mark.parametrize("topic", ["costs", "notices", "integrity", "publicity"])
def test_variants_of_each_new_topic_render_for_the_example(topic):
    found = options(example(D), topic)
    assert len(found) >= 2
    assert all(o.agreement is not None for o in found), [o.problems for o in found]
