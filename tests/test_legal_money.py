"""Legal review round 1, resources, liability and withdrawal: each case renders one variant for two parties
and for twelve and asserts on the text of the article concerned (issue 12, points 3, 4, 6, 10, 11, 12, 19,
20 and the minor points in these articles)."""
from __future__ import annotations

import copy
import re

import pytest
from conftest import example

from agreement_engine.api import assemble

TWO_MEMBERS = ["dehaven", "onderdak"]


def two(**changes) -> dict:
    """Return Dak en Thuis cut down to two members and the gemeente (two Deelnemende Partijen)."""
    answers = example("dak-en-thuis")
    answers["parties"] = [p for p in answers["parties"] if p["id"] in TWO_MEMBERS or p["role"] == "commissioner"]
    answers["resources"]["shares"] = {"dehaven": 60, "onderdak": 40}
    answers["withdrawal"]["continuation"]["min_parties"] = 2
    answers["conditions"] = [c for c in answers.get("conditions", []) if c["party"] in TWO_MEMBERS]
    for law in ("wmo", "jeugdwet", "wkkgz"):
        answers["quality"][law] = [pid for pid in answers["quality"].get(law, []) if pid in TWO_MEMBERS]
    if "comfort" in answers:
        answers["comfort"] = [c for c in answers["comfort"] if c["party"] in TWO_MEMBERS]
    if answers.get("multi_year_plan"):
        answers["multi_year_plan"]["party_tasks"] = {k: v for k, v in answers["multi_year_plan"]
                                                    .get("party_tasks", {}).items() if k in TWO_MEMBERS}
    return _apply(answers, changes)


def twelve(**changes) -> dict:
    """Return Dak en Thuis with eleven members and the gemeente: twelve parties."""
    answers = example("dak-en-thuis")
    template = answers["parties"][1]
    extra = []
    for n in range(6):
        party = copy.deepcopy(template)
        party.update(id=f"extra{n}", name=f"Stichting Extra {n}", short_name=f"Extra {n}",
                     kvk=f"{70000000 + n}")
        extra.append(party)
    answers["parties"] = answers["parties"][:5] + extra + answers["parties"][5:]
    shares = {"dehaven": 20, "onderdak": 10, "zorgpunt": 10, "schuldhulp": 10, "straatwaarde": 8}
    shares.update({f"extra{n}": 7 for n in range(6)})
    answers["resources"]["shares"] = shares
    return _apply(answers, changes)


def _apply(answers: dict, changes: dict) -> dict:
    for path, value in changes.items():
        keys = path.split("__")
        node = answers
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return answers


def article(answers: dict, clause_id: str) -> str:
    return "\n".join(f"{m.number} {m.body.text} " + " ".join(i.text for i in m.items)
                     for m in assemble(answers).article(clause_id).members)


def member(answers: dict, label: str) -> str:
    agreement = assemble(answers)
    for a in agreement.articles:
        for m in a.members:
            if m.label == label:
                return m.body.text + " " + " ".join(i.text for i in m.items)
    raise KeyError(label)


SIZES = {"2": two, "12": twelve}

# (case id, changes, clause or member label, phrases that must appear, phrases that must not appear)
CASES = [
    # Point 3: one rule for recoveries, the cap never swallows cost sharing and recourse.
    ("p3-a2-one-reference-moment", {}, "aansprakelijkheid",
     ["Dit lid is niet van toepassing op een Terugvordering; daarvoor geldt uitsluitend artikel {middelen.terugvordering}",
      "de verdeling van een Terugvordering tussen Partijen en het verhaal daarvan op grond van artikel {middelen.terugvordering}",
      "de verdeling van Schade uit een gezamenlijk risico en het verhaal daarvan op grond van artikel {aansprakelijkheid.gedeeld} en "
      "artikel {aansprakelijkheid.verhaal}"],
     ["het verhaal op grond van dit artikel", "terugvordering, korting of boete"]),
    ("p3-one-rule-in-middelen", {}, "middelen.terugvordering",
     ["Voor de verdeling van een Terugvordering tussen Partijen geldt uitsluitend dit lid",
      "zoals die gold in de periode waarop de Terugvordering betrekking heeft"],
     ["artikel {aansprakelijkheid}", "tijdstip van de gebeurtenis"]),
    # Point 4: A3 with a cap and the Financier a Partij.
    ("p4-a3-carve-out", {"liability__model": "joint_and_several"}, "aansprakelijkheid",
     ["uitsluitend voor de nakoming van de volgende verplichtingen",
      "de hoofdelijke verbondenheid jegens de Financier op grond van artikel {aansprakelijkheid.regime} en het verhaal in de "
      "onderlinge verhouding op grond van artikel {aansprakelijkheid.verhaal}",
      "de rechten en aanspraken van de Financier uit hoofde van een subsidie of opdracht, ook als de "
      "Financier zelf Partij is",
      "De hoofdelijke verbondenheid geldt niet voor andere verplichtingen"],
     ["Voor zover de Deelnemende Partijen ter uitvoering van de Alliantie verplichtingen"]),
    # Point 6: wind-down funded once.
    ("p6-reserve", {}, "uittreding",
     ["wordt het deel dat naar tijdsgelang op de afbouwperiode valt, gereserveerd",
      "Alleen het niet gereserveerde deel van haar aandeel wordt met ingang van de dag na de "
      "Uittredingsdatum herverdeeld"],
     ["ontvangt zij Middelen overeenkomstig artikel 7.2, naar rato"]),
    # Point 10: direct payment only where the beschikking or contract provides for it.
    ("p10-direct-payment", {}, "middelen",
     ["alleen met bevrijdende werking rechtstreeks aan een andere Deelnemende Partij betalen voor zover de "
      "subsidieverlening of de overeenkomst daarin voorziet",
      "Voorziet de subsidieverlening of de overeenkomst daarin, dan verzoeken Partijen de Financier"],
     ["verbindt de Gemeente zich om in dat geval"]),
    # Point 11: M3 with route direct.
    ("p11-m3-direct", {"resources__model": "annual_plan", "resources__route": "direct",
                       "resources__shares": None}, "middelen",
     ["de Financier gezamenlijk verzoeken de subsidie of opdracht van die Deelnemende Partij voor dat deel "
      "te wijzigen", "zij bindt de Financier niet"],
     ["dan kan de Stuurgroep dat deel geheel of gedeeltelijk aan"]),
    # Point 12: no commissioner owes an exit fee; the article speaks of Deelnemende Partijen.
    ("p12-commissioner-fixed-fee", {"withdrawal__exit_fee": {"kind": "fixed", "amount": 25000}}, "uittreding",
     ["Iedere Deelnemende Partij kan haar deelname aan de Overeenkomst opzeggen",
      "is geen Deelnemende Partij",
      "Bij het einde van die deelname is geen uittredingsvergoeding of andere vergoeding verschuldigd",
      "een besluit heeft genomen waartegen zij heeft gestemd"],
     ["Iedere Partij kan haar deelname", "tegen haar stem"]),
    # Point 19: the separate account is an obligation before the first payment.
    ("p19-account", {}, "middelen",
     ["Een bankrekening op naam van de Penvoerder zelf behoort tot haar vermogen",
      "vóór de eerste betaling van de Financier, een stichting derdengelden is opgericht",
      "Zolang de Derdengeldenrekening niet beschikbaar is"],
     ["bijvoorbeeld door haar onder te brengen", "aparte rekening"]),
    # Minors.
    ("survival-list", {"withdrawal__exit_fee": {"kind": "fixed", "amount": 25000}}, "beeindiging.doorwerking",
     ["{middelen.verantwoording} (verantwoording van de Middelen)", "{middelen.terugvordering} (Terugvordering)", "(uittredingsvergoeding)",
      "{beeindiging.afwikkeling} (afwikkeling)"], []),
    ("payment-days-and-interest", {}, "middelen",
     ["twintig (20) kalenderdagen", "de wettelijke rente verschuldigd als bedoeld in artikel 6:119",
      "handelsovereenkomst als bedoeld in artikel 6:119a"],
     ["twintig (20) dagen"]),
    ("staff", {}, "inzet",
     ["voor medewerkers die jeugdhulp verlenen", "niet ouder is dan drie (3) maanden",
      "Iedere Deelnemende Partij zet voor"],
     ["beschikbaar is wanneer", "met uitzondering van de Gemeente"]),
    ("ip-commissioner-no-co-owner", {}, "intellectuele_eigendom",
     ["komen toe aan de Deelnemende Partijen gezamenlijk", "geen aandeel in die rechten"],
     ["eeuwigdurend"]),
    ("ip-licensed-duration", {"intellectual_property__joint_results": "licensed"}, "intellectuele_eigendom",
     ["voor de duur van de Intellectuele Eigendomsrechten"], ["eeuwigdurend"]),
    ("no-lowercase-hierna", {}, "middelen", ["Het Jaarbudget bedraagt"],
     ["(hierna: het jaarbudget)", "(hierna: gezamenlijke kosten)", "(hierna: de aparte rekening)",
      "(hierna: een terugvordering)"]),
    ("no-lowercase-hierna-withdrawal", {}, "uittreding", ["eindigt op 31 december"],
     ["(hierna: de uittredingsdatum)", "eerst gevolg tegen het eerste tijdstip", "eeuwigdurend"]),
    ("exit-fee-37a", {}, "uittreding", [], ["37a"]),
]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_variant_text(case, size):
    _, changes, target, present, absent = case
    answers = SIZES[size](**changes)
    if answers["resources"].get("shares") is None:
        answers["resources"].pop("shares", None)
    if answers["liability"]["model"] == "joint_and_several":
        for party in answers["parties"]:
            if party["legal_form"] in ("stichting", "vereniging"):
                party["articles_allow_joint_liability"] = True
    text = article(answers, target) if "." not in target else member(answers, target)
    numbers = assemble(answers)

    def numbered(phrase: str) -> str:
        return re.sub(r"\{([a-z_.]+)\}", lambda m: numbers.number_of(m.group(1)), phrase)

    for phrase in present:
        assert numbered(phrase) in text, numbered(phrase)
    for phrase in absent:
        assert numbered(phrase) not in text, numbered(phrase)


def test_attention_points_name_the_law():
    """The variants' attention points say what the text cannot: 4:57 Awb, direct payment, 4:51 Awb, 37a Fw."""
    from agreement_engine.library import default_library
    library = default_library()

    def attention(clause_id, variant_id):
        clause = next(c for c in library.clauses if c.id == clause_id)
        return " ".join(next(v for v in clause.variants if v.id == variant_id).attention)

    assert "artikel 4:57 Awb" in attention("aansprakelijkheid", "A3")
    assert "als de beschikking of de overeenkomst daarin voorziet" in attention("middelen", "M1")
    assert "artikel 4:51 Awb" in attention("uittreding", "U3a")
    assert "niet over een uittredingsvergoeding" in attention("uittreding", "U3b")


def test_two_parties_continuation_ends_the_agreement():
    text = member(two(), "uittreding.voortzetting")
    assert "Bij de uittreding van een Deelnemende Partij eindigt de Overeenkomst op de Uittredingsdatum" in text
    assert "Omdat" not in text
    assert "laat de Overeenkomst tussen de overige Partijen onverlet" not in text
    full = article(two(), "uittreding")
    assert "over de overblijvende Deelnemende Partijen verdeeld naar verhouding" not in full


def test_two_party_example_reads_for_two():
    text = assemble(example("twee-partijen")).text
    for phrase in ("mits ten minste twee (2) Partijen overblijven", "de overige Partijen gezamenlijk",
                   "iedere andere Partij per kwartaal",
                   "iedere andere bijdragende Partij", "Gezamenlijke kosten"):
        assert phrase not in text, phrase


def test_many_parties_continue():
    text = member(twelve(), "uittreding.voortzetting")
    assert "laat de Overeenkomst tussen de overige Partijen onverlet, mits ten minste drie (3) Deelnemende " \
           "Partijen overblijven" in text


def test_references_land_on_the_member_that_says_it():
    agreement = assemble(twelve())
    by_number = {m.number: m.body.text + " ".join(i.text for i in m.items)
                 for a in agreement.articles for m in a.members}
    for label, keyword in [("toetreding.verdeelsleutel", "Verdeelsleutel"), ("ie.einde", "Eindigt de deelname"),
                           ("middelen.rekening", "Derdengeldenrekening"),
                           ("aansprakelijkheid.gedeeld", "gezamenlijk risico"),
                           ("aansprakelijkheid.verhaal", "verhalen"), ("middelen.rente", "wettelijke rente"),
                           ("uittreding.afbouwkosten", "gereserveerd")]:
        assert keyword in by_number[agreement.number_of(label)], label
    text = agreement.text
    assert re.search(r"Bij toetreding van een Deelnemende Partij wordt de Verdeelsleutel aangepast overeenkomstig "
                     r"artikel " + re.escape(agreement.number_of("toetreding.verdeelsleutel")), text)
