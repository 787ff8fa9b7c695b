"""Legal review round 1 (issue 12): duration, governance, exclusion, insolvency, privacy and disputes, read
in the rendered text for two parties and for many; and every cross-reference of the library checked against
the member it points at.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache

import pytest
from conftest import apply_changes, example

from agreement_engine.api import assemble
from agreement_engine.findings import Severity
from agreement_engine.model import Agreement, Ref
from agreement_engine.validate import validate

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


def r(path):
    return ["remove", path]


GEMEENTE = {"id": "gemeente", "name": "Gemeente Zwolle", "short_name": "de Gemeente", "legal_form": "gemeente",
            "role": "commissioner",
            "address": {"street": "Grote Kerkplein 15", "postal_code": "8011 PK", "city": "Zwolle"},
            "representatives": [{"name": "J. de Vries", "function": "burgemeester"}],
            "council_decision": {"date": "2026-11-10", "reference": "Z/2026/1"}}


def twenty_parties() -> dict:
    """Return Dak en Thuis with nineteen members and the gemeente: twenty parties."""
    answers = example(D)
    template = answers["parties"][1]
    members = []
    for n in range(1, 20):
        party = copy.deepcopy(template)
        party.update(id=f"p{n}", name=f"Stichting Zorgaanbieder {n}", short_name=f"Zorgaanbieder {n}",
                     kvk=f"{40000000 + n:08d}")
        members.append(party)
    answers["parties"] = members + [answers["parties"][-1]]
    answers["resources"]["shares"] = {f"p{n}": 5.26 for n in range(1, 19)} | {"p19": 5.32}
    answers["resources"]["lead_party"] = "p1"
    answers["conditions"] = []
    answers["comfort"] = []  # the example's needs are those of parties that are gone
    answers.pop("multi_year_plan")
    answers["publicity"]["rights_holder"] = "p1"  # the example's holder of name and logo is gone
    answers["financing"]["wnt_parties"] = ["p1"]
    answers["governance"]["secretariat_party"] = "p1"  # and so are the employer of the programme manager
    answers["quality"].update(wmo=["p1", "p2", "p3"], wkkgz=["p4"])  # and the providers under each law
    return answers


def two_members_and_gemeente() -> dict:
    """Return the two-party example with a gemeente as third party (commissioner)."""
    return apply_changes(example(T), [s(["parties", 2], GEMEENTE)])


#: The sets every test reads: two parties, two members with a gemeente, six parties, twenty parties.
BASES = {"twee": lambda: example(T), "twee+gemeente": two_members_and_gemeente, "zes": lambda: example(D),
         "twintig": twenty_parties}
TWO = ("twee", "twee+gemeente")
MANY = ("zes", "twintig")

INSOLVENCY = {
    "I1": [s(["insolvency", "model"], "automatic")],
    "I2": [s(["insolvency", "model"], "termination_right")],
    "I3": [s(["insolvency", "model"], "curator_term")],
    "I4": [s(["insolvency", "model"], "step_in"), ["step_in"]],
}
GOVERNANCE = {
    "unanimous": [s(["governance", "decision_rule"], "unanimous")],
    "majority": [s(["governance", "decision_rule"], "majority")],
    "qualified_majority": [s(["governance", "decision_rule"], "qualified_majority"),
                           s(["governance", "qualified_majority_percent"], 75)],
}


#: The financing variants F1-F5 (the six-party example chooses F2, subsidy to the penvoerder); joint contracting
#: needs articles that allow joint and several liability.
_NO_LEAD = [r(["resources", "lead_party"]), r(["resources", "payment_term_days"]),
            r(["resources", "lead_party_fee_percent"])]
FINANCING = {
    "F1": [s(["financing"], {"basis": "subsidy", "state_aid": "de_minimis"}), s(["resources", "route"], "direct"),
           *_NO_LEAD],
    "F3": [s(["financing"], {"basis": "contract"}), s(["resources", "route"], "direct"), *_NO_LEAD],
    "F4": [s(["financing"], {"basis": "contract", "state_aid": "no_economic_activity"}),
           s(["resources", "route"], "main_contractor"), r(["resources", "payment_term_days"]),
           r(["resources", "lead_party_fee_percent"])],
    "F5": [s(["financing"], {"basis": "contract"}), s(["resources", "route"], "joint_contracting"),
           ["joint_contracting"]],
}


def build(base: str, *changes) -> dict:
    """Return the answer set ``base`` with changes; ``["step_in"]`` names the second member as step-in party."""
    answers = BASES[base]()
    answers.setdefault("governance", {})
    plain = []
    for change in changes:
        if change == ["joint_contracting"]:
            for i, party in enumerate(answers["parties"]):
                if party["legal_form"] in ("stichting", "vereniging"):
                    plain.append(s(["parties", i, "articles_allow_joint_liability"], True))
            plain += [r(["resources", key]) for key in ("lead_party", "payment_term_days", "lead_party_fee_percent")
                      if key in answers["resources"]]
            continue
        if change == ["step_in"]:
            members = [p["id"] for p in answers["parties"] if p.get("role", "member") == "member"]
            plain.append(s(["insolvency", "step_in_party"], members[1]))
        else:
            plain.append(change)
    answers = apply_changes(answers, plain)
    if answers["governance"].get("decision_rule") != "qualified_majority":
        answers["governance"].pop("qualified_majority_percent", None)
    return answers


def render(answers: dict) -> Agreement:
    return assemble(answers)


def article(agreement: Agreement, clause_id: str) -> str:
    """Return the text of one article, members and items, one per line."""
    art = agreement.article(clause_id)
    return "\n".join(m.body.text + "\n" + "\n".join(i.text for i in m.items) for m in art.members)


def member(agreement: Agreement, label: str) -> str:
    """Return the text of the member labelled ``label`` (body and items)."""
    for art in agreement.articles:
        for m in art.members:
            if m.label == label:
                return m.body.text + "\n" + "\n".join(i.text for i in m.items)
    raise AssertionError(f"geen lid {label}")


def cases(bases, variants):
    return [pytest.param(b, v, id=f"{b}-{v}") for b in bases for v in variants]


# Point 2: loss of funding is exclusion, not insolvency ---------------------------------------------------

@pytest.mark.parametrize("base", TWO + MANY)
def test_loss_of_grant_is_no_insolvency_event_but_an_exclusion_ground(base):
    answers = build(base, s(["insolvency", "events"], ["bankruptcy", "dissolution", "loss_of_grant"]))
    agreement = render(answers)
    events = member(agreement, "insolventie.gebeurtenis")
    assert "subsidie" not in events and "faillietverklaring" in events
    delimitation = member(agreement, "insolventie.subsidie")
    assert "is geen Insolventiegebeurtenis" in delimitation
    assert f"artikel {agreement.number_of('uitsluiting.gronden')}, onder c" in delimitation
    grounds = agreement.article("uitsluiting").members[0]
    assert "subsidie" in grounds.items[2].text and "drie (3) maanden" in grounds.items[2].text
    assert "kan niet berusten op een Insolventiegebeurtenis" in article(agreement, "uitsluiting")


def test_loss_of_grant_stays_accepted_with_a_note_and_alone_is_an_error():
    answers = build("zes", s(["insolvency", "events"], ["bankruptcy", "suspension_of_payments", "dissolution",
                                                       "loss_of_grant"]))
    codes = {f.code: f for f in validate(answers)}
    assert codes["insolvency.loss_of_grant"].severity is Severity.INFO
    assert codes["insolvency.loss_of_grant"].path == "$.insolvency.events[3]"
    assert "uitsluiting" in codes["insolvency.loss_of_grant"].message
    alone = {f.code: f for f in validate(build("zes", s(["insolvency", "events"], ["loss_of_grant"])))}
    assert alone["insolvency.no_events"].severity is Severity.ERROR
    assert "insolvency.loss_of_grant" not in {f.code for f in validate(build("twee"))}


# Point 7 and 20: exclusion ------------------------------------------------------------------------------

@pytest.mark.parametrize("base", MANY)
def test_exclusion_cannot_be_blocked_needs_the_commissioner_and_spares_her(base):
    agreement = render(build(base))
    decision = member(agreement, "uitsluiting.besluit")
    assert "haar afwezigheid staat aan het besluit niet in de weg" in decision
    assert "telt voor het quorum en voor de vereiste algemene stemmen niet mee" in decision
    assert "voorafgaande Schriftelijke instemming van de Gemeente" in decision
    assert f"artikel {agreement.number_of('governance.herhaling')} is op dit besluit niet van toepassing" in decision
    text = article(agreement, "uitsluiting")
    assert "De deelname van een Deelnemende Partij aan de Overeenkomst kan door uitsluiting" in text
    assert "De deelname van de Gemeente kan niet door uitsluiting eindigen." in text
    assert "(hierna:" not in text


@pytest.mark.parametrize("base", TWO)
def test_with_two_members_exclusion_is_termination_for_cause(base):
    agreement = render(build(base))
    text = article(agreement, "uitsluiting")
    assert "kan de Overeenkomst door een Schriftelijke, met redenen omklede verklaring" in text
    assert "beëindigen wegens een tekortkoming of een andere zwaarwegende grond" in text
    for dead in ("overige Partijen", "besluit de Stuurgroep", "mits ten minste", "uitgesloten Partij"):
        assert dead not in text, dead


# Point 8 and 9: insolvency -----------------------------------------------------------------------------

@pytest.mark.parametrize("base,model", cases(TWO + MANY, INSOLVENCY))
def test_every_insolvency_variant_keeps_clients_and_rekeys_subject_to_the_curator(base, model):
    agreement = render(build(base, *INSOLVENCY[model]))
    continuity = member(agreement, "insolventie.continuiteit")
    assert f"artikel {agreement.number_of('continuiteit')} van toepassing" in continuity
    assert "rechten en bevoegdheden van de curator of bewindvoerder" in continuity
    rekey = f"aangepast overeenkomstig artikel {agreement.number_of('uittreding.voortzetting')}"
    assert (rekey in continuity) == (base in MANY)


@pytest.mark.parametrize("base", TWO + MANY)
def test_step_in_needs_the_financier_and_a_lawful_step_in_party_and_names_7_662(base):
    agreement = render(build(base, *INSOLVENCY["I4"]))
    takeover = member(agreement, "insolventie.overname")
    assert "de Financier vooraf Schriftelijk heeft ingestemd" in takeover
    for word in ("toelatingen", "registraties", "medewerkers met de vereiste kwalificaties", "curator"):
        assert word in takeover, word
    interim = f"Zolang niet aan de voorwaarden van artikel {agreement.number_of('insolventie.overname')} is voldaan, "
    assert interim + ("treffen Partijen" if base in TWO else "treft de Stuurgroep") in article(agreement, "insolventie")
    transfer = member(agreement, "insolventie.overgang_onderneming")
    assert "artikel 7:662 van het Burgerlijk Wetboek" in transfer and "artikel 7:663" in transfer


@pytest.mark.parametrize("base", TWO + MANY)
def test_insolvency_wording_whoa_and_set_off_in_suspension(base):
    agreement = render(build(base))
    text = article(agreement, "insolventie") + article(agreement, "uitsluiting")
    assert "akkoord buiten faillissement" not in text
    assert text.count("onderhands akkoord") == 2
    assert "artikel 234 Faillissementswet" in article(agreement, "insolventie")


# Point 13: duration ------------------------------------------------------------------------------------

TERMS = {
    "vast": [s(["alliance", "term"], {"kind": "fixed", "years": 4})],
    "verlengd": [s(["alliance", "term"], {"kind": "fixed", "years": 4, "renewal": "tacit", "renewal_years": 2,
                                          "lock_in_until": "2028-12-31"})],
    "onbepaald": [s(["alliance", "term"], {"kind": "indefinite", "lock_in_until": "2028-12-31"})],
}


@pytest.mark.parametrize("base,term", cases(TWO + MANY, TERMS))
def test_duration_excludes_dissolution_and_routes_breach_through_exclusion(base, term):
    agreement = render(build(base, *TERMS[term]))
    text = article(agreement, "duur")
    assert "bevoegdheid tot ontbinding" not in text
    clause = member(agreement, "duur.ontbinding")
    assert "sluiten de bevoegdheid uit om de Overeenkomst" in clause
    assert f"overeenkomstig artikel {agreement.number_of('uitsluiting')}" in clause
    assert ("artikel 6:279 van het Burgerlijk Wetboek" in clause) == (base in MANY)


@pytest.mark.parametrize("base", TWO + MANY)
def test_renewal_member_is_the_one_that_renews(base):
    agreement = render(build(base, *TERMS["verlengd"]))
    assert "telkens stilzwijgend verlengd" in member(agreement, "duur.verlenging")
    assert "opzeggen tegen het einde van een looptijd" in member(agreement, "duur.opzegging_einde_looptijd")
    opt_out = member(agreement, "duur.opzegging_einde_looptijd")
    assert ("tussen de overige Partijen verlengd" in opt_out) == (base in MANY)


# Points 14 and 15: quorum, reconvened meetings and written resolutions ---------------------------------

@pytest.mark.parametrize("base,rule", cases(MANY, GOVERNANCE))
def test_reconvened_meeting_has_a_minimum_quorum_and_spares_budget_and_insolvency(base, rule):
    agreement = render(build(base, *GOVERNANCE[rule]))
    text = article(agreement, "governance")
    assert "ongeacht het aantal aanwezige" not in text
    again = member(agreement, "governance.herhaling")
    assert "ten minste een derde van de stemgerechtigde Deelnemende Partijen, en in ieder geval twee (2)" in again
    assert "niet van toepassing op besluiten over de vaststelling of wijziging van het Jaarplan, de begroting" in again
    assert f"op besluiten op grond van artikel {agreement.number_of('insolventie')}" in again
    assert "geacht vóór het voorstel te hebben gestemd" in again
    assert "algemene stemmen zijn vereist, komt buiten vergadering tot stand zodra alle" in \
        member(agreement, "governance.schriftelijk") or rule == "unanimous"
    unanimity = member(agreement, "governance.unanimiteit")
    assert "in een vergadering waarin alle Deelnemende Partijen aanwezig" not in unanimity


@pytest.mark.parametrize("base,rule", cases(TWO, GOVERNANCE))
def test_two_members_have_written_resolutions_and_no_reconvened_meeting(base, rule):
    agreement = render(build(base, *GOVERNANCE[rule]))
    assert "governance.herhaling" not in dict(agreement.labels)
    assert "Schriftelijk vóór het voorstel hebben gestemd" in member(agreement, "governance.schriftelijk")
    assert "nieuwe vergadering" not in article(agreement, "governance")


@pytest.mark.parametrize("base", TWO + MANY)
def test_governance_minor_wording(base):
    agreement = render(build(base))
    text = article(agreement, "governance")
    assert "een (1) vertegenwoordiger" not in text and "uit haar vertegenwoordigers" not in text
    assert "Zij spant zich in om dat binnen zes (6) weken" in text
    has_gemeente = bool([p for p in build(base)["parties"] if p["legal_form"] == "gemeente"])
    assert ("die gelegenheid is geboden" in text) == has_gemeente


# Point 16: privacy -------------------------------------------------------------------------------------

@pytest.mark.parametrize("base,role", cases(TWO + MANY, ["independent", "processor"]))
def test_independent_controllership_is_an_assumption_with_an_article_26_fallback(base, role):
    agreement = render(build(base, s(["privacy", "role"], role)))
    text = article(agreement, "privacy")
    assert "Partijen gaan ervan uit dat iedere Partij" in text
    assert "dan treffen zij onverwijld een regeling als bedoeld in artikel 26 AVG" in text
    assert "brengt geen gezamenlijke verwerkingsverantwoordelijkheid tot stand" not in text


# Point 18: mediation then arbitration, and the escalation clause --------------------------------------

NAI_MEDIATION = ("Ten behoeve van de oplossing van elk geschil dat is of mocht ontstaan naar aanleiding van de "
                 "onderhavige overeenkomst, dan wel van nadere overeenkomsten die daarvan het gevolg mochten zijn, "
                 "zullen de partijen, respectievelijk zal de meest gerede partij, een aanvraag tot mediation "
                 "indienen bij het secretariaat van het NAI volgens het NAI Mediationreglement.")
NAI_ARBITRATION = ("Alle geschillen, welke mochten ontstaan naar aanleiding van de onderhavige overeenkomst dan wel "
                   "van nadere overeenkomsten, die daarvan het gevolg mochten zijn, zullen worden beslecht "
                   "overeenkomstig het Arbitragereglement van het Nederlands Arbitrage Instituut.")
ROUTES = {"mediation_then_arbitration": {"route": "mediation_then_arbitration", "arbitrators": 1},
          "mediation_then_court": {"route": "mediation_then_court", "court": "Rechtbank Overijssel"}}


@pytest.mark.parametrize("base", TWO + MANY)
def test_mediation_then_arbitration_uses_the_nai_clauses_with_mediation_as_a_precondition(base):
    agreement = render(build(base, s(["disputes"], ROUTES["mediation_then_arbitration"])))
    assert NAI_MEDIATION in member(agreement, "geschillen.mediation")
    assert NAI_ARBITRATION in member(agreement, "geschillen.beslechting")
    order = member(agreement, "geschillen.volgorde")
    assert "voorwaarde voor de ontvankelijkheid" in order and "laat de bevoegdheid van het scheidsgerecht onverlet" in order
    assert "aanvraag tot mediation in bij het secretariaat" not in article(agreement, "geschillen")


@pytest.mark.parametrize("base,route", cases(TWO + MANY, ROUTES))
def test_escalation_points_at_the_mediation_member(base, route):
    agreement = render(build(base, s(["disputes"], ROUTES[route])))
    impasse = member(agreement, "governance.impasse")
    assert f"artikel {agreement.number_of('geschillen.mediation')} is daarop van overeenkomstige toepassing" in impasse
    assert f"artikel {agreement.number_of('geschillen.overleg')} is daarbij" not in impasse


# Point 20: my articles read right for two parties and for twenty --------------------------------------

MINE = ("duur", "governance", "geheimhouding", "privacy", "uitsluiting", "insolventie", "geschillen",
        "toepasselijk_recht")


@pytest.mark.parametrize("base,model", cases(TWO, INSOLVENCY))
def test_two_member_articles_have_no_dead_plural_text(base, model):
    agreement = render(build(base, *INSOLVENCY[model]))
    dead = ["overige Deelnemende Partijen", "mits ten minste twee", "nieuwe vergadering", "uitgesloten Partij"]
    if base == "twee":  # two parties in all: no "overige" or "alle" Partijen either
        dead += ["de overige Partijen", "alle Partijen", "alle overige Partijen"]
    for clause in MINE:
        text = article(agreement, clause)
        for phrase in dead:
            assert phrase not in text, (clause, phrase)


@pytest.mark.parametrize("model", INSOLVENCY)
def test_twenty_parties_need_nobody_in_one_room(model):
    agreement = render(build("twintig", *INSOLVENCY[model]))
    for clause in MINE:
        text = article(agreement, clause)
        assert "beide" not in text, clause
        assert "de andere Partij " not in text, clause
        assert "(hierna:" not in text and "met uitzondering van de Gemeente" not in text, clause


# The cross-reference test for the whole library --------------------------------------------------------

#: (citing clause, referenced label) -> what the referenced article or member must say: a regular expression
#: searched case-insensitively in its text. A label that moves to another member fails here.
REFERENCES: dict[tuple[str, str], str] = {
    # the new articles of the second legal review
    ("definities", "overmacht.bijzonder"): "pandemie",
    ("overmacht", "uittreding"): "opzeg",
    ("overmacht", "beeindiging"): "afwikkel|eindigt",
    ("mededelingen", "mededelingen.adres"): "adres",
    ("mededelingen", "mededelingen.contactpersonen"): "contactpersoon",
    # client continuity and the end of funding (issue 14, items 5 and 6)
    ("beeindiging", "continuiteit"): "warm over",
    ("beeindiging", "einde_financiering.gevolg"): "financiering",
    ("continuiteit", "beeindiging"): "Overeenkomst eindigt",
    ("continuiteit", "einde_financiering"): "financiering",
    ("continuiteit", "insolventie"): "Insolventiegebeurtenis",
    ("continuiteit", "insolventie.overname"): "neemt .* over",
    ("continuiteit", "privacy"): "persoonsgegevens",
    ("continuiteit", "uitsluiting"): "uitsluiting|beëindigen",
    ("continuiteit", "uittreding"): "opzeg",
    ("continuiteit", "uittreding.afbouw"): "afbouw- en overdrachtsplan",
    ("continuiteit", "uittreding.afbouwkosten"): "gereserveerd|kosten",
    ("definities", "continuiteit.opvolger"): "Opvolger",
    ("definities", "continuiteit.toepassing"): "niet langer zal voortzetten",
    ("einde_financiering", "continuiteit"): "warm over",
    ("einde_financiering", "financiering.meerjarig"): "4:51",
    ("einde_financiering", "continuiteit.voortzetting"): "voort totdat de Opvolger",
    ("einde_financiering", "einde_financiering.gevolg"): "overleg over de voortzetting",
    ("einde_financiering", "middelen.budget"): "Jaarbudget|bijdrage",
    ("einde_financiering", "middelen.verdeling"): "ontvangt|Gezamenlijke Kosten",
    ("einde_financiering", "uittreding"): "opzeg",
    ("einde_financiering", "uittreding.afbouwkosten"): "gereserveerd",
    ("einde_financiering", "uittreding.ingang"): "opzegging (geschiedt|kan) tegen",
    ("einde_financiering", "uittreding.lock_in"): "niet eerder doen eindigen",
    ("einde_financiering", "uittreding.opdrachtgever"): "geen Deelnemende Partij",
    ("insolventie", "continuiteit"): "warm over",
    ("privacy", "continuiteit.gegevens"): "dossier",
    ("uitsluiting", "continuiteit"): "warm over",
    ("uittreding", "continuiteit"): "warm over",
    ("uittreding", "einde_financiering"): "financiering",
    ("uittreding", "middelen.betaling"): "doorbeta|Penvoerder|Hoofdaannemer",
    ("mededelingen", "definities"): "schriftelijk",
    ("mededelingen", "wijziging"): "wijzig",
    ("integriteit", "uitsluiting"): "uitsluiting",
    ("governance", "integriteit.belangen"): "tegenstrijdig",
    ("governance", "middelen"): "gezamenlijke kosten",
    ("kwaliteit", "kwaliteit.calamiteiten"): "calamiteit",
    ("publiciteit", "geheimhouding"): "geheim",
    ("publiciteit", "intellectuele_eigendom"): "intellectuele eigendom|gezamenlijke resultaten",
    ("publiciteit", "slot.geen_maatschap"): "maatschap",
    # exclusivity, staff and security (issue 14, items 7, 8 and 11)
    ("doel", "exclusiviteit"): "exclusiviteit|mededinging",
    ("exclusiviteit", "doel.reikwijdte"): "vrij om buiten",
    ("exclusiviteit", "geheimhouding"): "geheim",
    ("exclusiviteit", "slot.nietigheid"): "nietig",
    ("inzet", "medewerkers.detachering"): "detachering",
    ("medewerkers", "aansprakelijkheid"): "aansprakelijk",
    ("medewerkers", "inzet.personeel"): "medewerkers",
    ("medewerkers", "medewerkers.overgang"): "7:662",
    ("aansprakelijkheid", "geschillen"): "geschil",
    ("aansprakelijkheid", "middelen.budget"): "bijdrage",
    ("uittreding", "uittreding.bijdragen"): "saldo",
    ("aansprakelijkheid", "middelen.terugvordering"): "terug",
    ("aansprakelijkheid", "verzekering"): "verzeker",
    ("aansprakelijkheid", "vrijwaring"): "vrijwaar",
    ("beeindiging", "aansprakelijkheid"): "aansprakelijk",
    ("beeindiging", "duur.looptijd"): "bepaalde tijd",
    ("beeindiging", "duur.verlenging"): "stilzwijgend verlengd",
    ("beeindiging", "geheimhouding"): "geheim",
    ("beeindiging", "geschillen"): "geschil",
    ("beeindiging", "intellectuele_eigendom"): "intellectuele eigendom",
    ("beeindiging", "privacy"): "persoonsgegevens",
    ("beeindiging", "toepasselijk_recht"): "nederlands recht",
    ("beeindiging", "uittreding.voortzetting"): "overblijve|voortzet|voortgezet",
    ("beeindiging", "vrijwaring"): "vrijwaar",
    ("definities", "doel"): "doel",
    ("definities", "governance.samenstelling"): "overlegorgaan",
    ("definities", "insolventie.gebeurtenis"): "insolventiegebeurtenis",
    ("definities", "meerjarenplan"): "meerjarenplan",
    ("definities", "meerjarenplan.jaarplan"): "jaarplan",
    ("definities", "meerjarenplan.vaststelling"): "meerjarenplan",
    ("definities", "middelen.betaling"): "penvoerder|hoofdaannemer",
    ("definities", "middelen.budget"): "budget|bijdrage",
    ("definities", "toetreding"): "toetre",
    ("definities", "toetreding.besluit"): "toetre",
    ("definities", "uittreding.opzegging"): "opzeg",
    ("definities", "voorwaarden.opschortend"): "opschortende voorwaarde",
    ("doel", "geheimhouding"): "geheim",
    ("duur", "beeindiging"): "eindigt",
    ("duur", "duur.opzegging_einde_looptijd"): "opzeggen tegen het einde van een looptijd",
    ("duur", "insolventie"): "insolventie",
    ("duur", "uitsluiting"): "uitsluiting",
    ("duur", "uittreding"): "opzeg",
    ("duur", "uittreding.ingang"): "opzegging (geschiedt|kan) tegen",
    ("duur", "uittreding.opzegging"): "opzegtermijn",
    ("duur", "uittreding.vergoeding"): "uittredingsvergoeding",
    ("duur", "uittreding.voortzetting"): "overblijve|voortzet|voortgezet",
    ("duur", "voorwaarden"): "opschortende voorwaarde",
    ("geschillen", "geschillen.beslechting"): "arbitr|rechter|bindend advies",
    ("geschillen", "geschillen.mediation"): "mediation",
    ("geschillen", "geschillen.overleg"): "geschil aanwezig",
    ("governance", "geschillen.beslechting"): "arbitr|rechter|bindend advies",
    ("governance", "geschillen.mediation"): "mediation",
    ("governance", "governance.besluitvorming"): "meerderheid|algemene stemmen",
    ("governance", "governance.herhaling"): "nieuwe vergadering",
    ("governance", "governance.schriftelijk"): "buiten vergadering",
    ("governance", "governance.unanimiteit"): "algemene stemmen",
    ("governance", "insolventie"): "insolventiegebeurtenis",
    ("governance", "toetreding"): "toetre",
    ("governance", "uitsluiting"): "uitsluiting",
    ("governance", "uitsluiting.besluit"): "tot uitsluiting besluit",
    ("governance", "uittreding.opzegging"): "opzeg",
    ("governance", "wijziging"): "gewijzigd",
    ("insolventie", "governance.besluitvorming"): "meerderheid|algemene stemmen",
    ("insolventie", "insolventie.curator"): "curator",
    ("insolventie", "insolventie.gevolg"): "beëindigen|eindigt",
    ("insolventie", "insolventie.overname"): "taken over",
    ("insolventie", "middelen.verdeling"): "verdeel|verdeling|tarief|kosten|bijdrage",
    ("insolventie", "privacy"): "persoonsgegevens",
    ("insolventie", "uitsluiting"): "uitsluiting",
    ("insolventie", "uitsluiting.gronden"): "subsidie",
    ("insolventie", "uittreding.voortzetting"): "overblijve|voortzet|voortgezet",
    ("inzet", "meerjarenplan.jaarplan"): "jaarplan",
    ("meerjarenplan", "governance.besluitvorming"): "meerderheid|algemene stemmen",
    ("meerjarenplan", "governance.impasse"): "niet tot een besluit",
    ("meerjarenplan", "governance.unanimiteit"): "algemene stemmen",
    ("middelen", "aansprakelijkheid"): "aansprakelijk",
    ("middelen", "governance.unanimiteit"): "algemene stemmen",
    ("middelen", "meerjarenplan.jaarplan"): "jaarplan",
    ("middelen", "middelen.betaling"): "penvoerder|hoofdaannemer|rechtstreeks",
    ("middelen", "middelen.verdeling"): "verdeel|verdeling|tarief|kosten|bijdrage",
    ("middelen", "uittreding.voortzetting"): "overblijve|voortzet|voortgezet",
    ("middelen", "vrijwaring"): "vrijwaar",
    ("toetreding", "governance.unanimiteit"): "algemene stemmen",
    ("toetreding", "meerjarenplan"): "meerjarenplan",
    ("toetreding", "middelen.verdeling"): "verdeel|verdeling|tarief|kosten|bijdrage",
    ("uitsluiting", "beeindiging"): "eindigt",
    ("uitsluiting", "governance.herhaling"): "nieuwe vergadering",
    ("uitsluiting", "governance.unanimiteit"): "algemene stemmen",
    ("uitsluiting", "insolventie"): "insolventiegebeurtenis",
    ("uitsluiting", "middelen.verdeling"): "verdeel|verdeling|tarief|kosten|bijdrage",
    ("uitsluiting", "uitsluiting.gronden"): "zeggenschap",
    ("uitsluiting", "uittreding"): "uittredingsvergoeding",
    ("uitsluiting", "uittreding.afbouw"): "afbouw",
    ("uitsluiting", "uittreding.voortzetting"): "overblijve|voortzet|voortgezet",
    ("uittreding", "beeindiging"): "eindigt",
    ("uittreding", "beeindiging.doorwerking"): "na het einde",
    ("uittreding", "geschillen"): "geschil",
    ("uittreding", "governance.unanimiteit"): "algemene stemmen",
    ("uittreding", "insolventie"): "insolventiegebeurtenis",
    ("uittreding", "middelen.budget"): "budget|bijdrage",
    ("uittreding", "middelen.verantwoording"): "administratie|verantwoording",
    ("uittreding", "middelen.verdeling"): "verdeel|verdeling|tarief|kosten|bijdrage",
    ("uittreding", "uitsluiting"): "uitsluiting",
    ("uittreding", "uittreding.afbouw"): "afbouw",
    ("uittreding", "uittreding.ingang"): "opzegging (geschiedt|kan) tegen",
    ("verzekering", "aansprakelijkheid"): "aansprakelijk",
    ("verzekering", "aansprakelijkheid.beperking"): "beperk",
    ("voorwaarden", "duur.ingang"): "in werking",
    ("voorwaarden", "geheimhouding"): "geheim",
    ("voorwaarden", "geschillen"): "geschil",
    ("voorwaarden", "insolventie.waarschuwing"): "continuïteit",
    ("voorwaarden", "toepasselijk_recht"): "nederlands recht",
    ("voorwaarden", "voorwaarden.garanties"): "verklaart|garande|staat ervoor in",
    ("voorwaarden", "voorwaarden.informatieplicht"): "informeert|meldt",
    ("voorwaarden", "voorwaarden.niet_vervuld"): "niet .*vervuld|vervalt",
    ("voorwaarden", "voorwaarden.opschortend"): "opschortende voorwaarde",
    ("vrijwaring", "aansprakelijkheid"): "aansprakelijk",
    ("vrijwaring", "aansprakelijkheid.beperking"): "beperk",
    ("vrijwaring", "aansprakelijkheid.opzet"): "opzet",
    ("vrijwaring", "aansprakelijkheid.regime"): "aansprakelijk|hoofdelijk",
    ("wijziging", "governance.unanimiteit"): "algemene stemmen",
    ("wijziging", "meerjarenplan"): "meerjarenplan",
    ("wijziging", "middelen.verdeling"): "verdeel|verdeling|tarief|kosten|bijdrage",
    ("doel", "karakter"): "convenant",
    ("karakter", "karakter.bindend"): "binden",
    ("karakter", "karakter.voornemens"): "voornemens",
    ("voorwaarden", "definities"): "betekenis",
    ("voorwaarden", "slotbepalingen"): "volledig|nietig|overdragen",
    ("voorwaarden", "voorwaarden.verklaringen"): "verklaart",
    **{("karakter", clause): title for clause, title in {
        "definities": "definities", "voorwaarden": "voorwaarden", "middelen": "middelen",
        "geheimhouding": "geheimhouding", "geschillen": "geschillen", "slotbepalingen": "slotbepalingen",
        "doel": "doel", "meerjarenplan": "meerjarenplan", "inzet": "inzet",
    }.items()},
    ("aansprakelijkheid", "aansprakelijkheid.gedeeld"): "gezamenlijk risico",
    ("aansprakelijkheid", "aansprakelijkheid.regime"): "hoofdelijk verbonden",
    ("aansprakelijkheid", "aansprakelijkheid.verhaal"): "verhaal",
    ("beeindiging", "beeindiging.afwikkeling"): "afwikkel",
    ("beeindiging", "middelen.rente"): "wettelijke rente",
    ("beeindiging", "middelen.terugvordering"): "Terugvordering",
    ("beeindiging", "middelen.verantwoording"): "verantwoording",
    ("beeindiging", "uittreding.vergoeding"): "uittredingsvergoeding",
    ("definities", "middelen.rekening"): "stichting derdengelden",
    ("definities", "uittreding.ingang"): "deelname van de Uittredende Partij eindigt",
    ("definities", "uittreding.lock_in"): "niet eerder doen eindigen",
    ("definities", "vrijwaring"): "vrijwaart",
    ("middelen", "toetreding.verdeelsleutel"): "herziene Verdeelsleutel",
    ("uittreding", "beeindiging.gronden"): "Overeenkomst eindigt",
    ("uittreding", "geheimhouding"): "Vertrouwelijke Informatie",
    ("uittreding", "ie.einde"): "Eindigt de deelname",
    ("uittreding", "privacy"): "persoonsgegevens",
    ("uittreding", "uittreding.afbouwkosten"): "gereserveerd|kosten",
    ("uittreding", "uittreding.lock_in"): "niet eerder doen eindigen",
    ("uittreding", "uittreding.opzegging"): "opzegtermijn",
    # the financing basis and the joint-contracting route
    ("financiering", "middelen.betaling"): "rechtstreeks|penvoerder|hoofdaannemer|gezamenlijk",
    ("financiering", "middelen.terugvordering"): "Terugvordering",
    ("financiering", "middelen.budget"): "Jaarbudget",
    ("financiering", "middelen.verantwoording"): "administratie",
    ("financiering", "middelen.regres"): "6:10",
    ("middelen", "middelen.regres"): "6:10",
    ("middelen", "middelen.terugvordering"): "Terugvordering",
}

#: The covenant article lists articles by number and title: the title it prints must be the article's.
_TITLED = re.compile(r"(\d+) \(([^)]+)\)")

#: Answer sets that together select every variant whose text holds a reference.
REFERENCE_SETS = {
    "zes": [], "twee": [], "twintig": [], "twee+gemeente": [],
    **{f"zes-{m}": INSOLVENCY[m] for m in INSOLVENCY},
    **{f"twee-{m}": INSOLVENCY[m] for m in INSOLVENCY},
    **{f"zes-{g}": GOVERNANCE[g] for g in GOVERNANCE},
    **{f"zes-{route}": [s(["disputes"], {"route": route, "court": "Rechtbank Midden-Nederland"})]
       for route in ("court", "mediation_then_court")},
    **{f"zes-{route}": [s(["disputes"], {"route": route})]
       for route in ("arbitration", "mediation_then_arbitration", "binding_advice")},
    **{f"twee-{term}": TERMS[term] for term in TERMS},
    **{f"zes-{role}": [s(["privacy", "role"], role)] for role in ("independent", "processor", "none")},
    "twee-convenant": [s(["document", "kind"], "covenant")],
    "zes-contactpersonen-per-brief": [s(["notices"], {"formal_notices": "letter", "contacts": {
        "dehaven": {"name": "mevrouw A. Jansen", "email": "alliantie@dehaven.nl"}}})],
    "twee-vaste-vergoeding": [s(["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 25000})],
    "twee-hoofdelijk": [s(["liability", "model"], "joint_and_several"),
                        s(["parties", 0, "articles_allow_joint_liability"], True),
                        s(["parties", 1, "articles_allow_joint_liability"], True)],
    "twee-verzekerd": [s(["liability", "cap"], {"kind": "insured_sum"})],
    "zes-output": [s(["resources", "model"], "output_based"), r(["resources", "shares"])],
    "zes-jaarplan": [s(["resources", "model"], "annual_plan"), r(["resources", "shares"])],
    "zes-hoofdaannemer": [s(["resources", "route"], "main_contractor"), s(["financing", "basis"], "contract"),
                          r(["resources", "payment_term_days"]),
                          r(["resources", "lead_party_fee_percent"])],
    "zes-direct": [s(["resources", "route"], "direct"), r(["resources", "lead_party"]),
                   r(["resources", "payment_term_days"]), r(["resources", "lead_party_fee_percent"])],
    "zes-sleutel-stuurgroep": [s(["withdrawal", "continuation", "rekey"], "steering_decision")],
    "zes-eigen-handelen": [s(["liability", "model"], "own_acts")],
    "zes-licentie": [s(["intellectual_property", "joint_results"], "licensed")],
    **{f"zes-{variant}": FINANCING[variant] for variant in FINANCING},
    "twee-F5": FINANCING["F5"],
    "zes-subsidie": [s(["insolvency", "events"], ["bankruptcy", "loss_of_grant"])],
    "zes-opvolger-aangewezen": [s(["client_continuity"], {"successor": "designated_party",
                                                          "designated_party": "straatwaarde"})],
    "twee-opvolger-financier": [s(["client_continuity"], {"successor": "commissioner"})],
    "zes-financiering-door": [s(["funding_end"], {"consequence": "continue_with_others"})],
    "zes-financiering-onderhandelen": [s(["funding_end"], {"consequence": "renegotiate"}),
                                      s(["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 25000})],
    "twee+gemeente-financiering-door": [s(["funding_end"], {"consequence": "continue_with_others"})],
    "twee-bijdragen-vervallen": [s(["resources", "route"], "lead_party"), s(["resources", "lead_party"], "buurtwerk")],
    "twee-bijdragen-terug": [s(["resources", "route"], "lead_party"), s(["resources", "lead_party"], "buurtwerk"),
                             s(["resources", "exit_share"], "refund")],
    "twee-aandeel-beperking": [s(["liability", "cap"], {"kind": "share_percent", "percent": 50})],
    "twee-maanden-vergoeding": [s(["withdrawal", "exit_fee"], {"kind": "annual_share", "months": 3, "cap": 5000})],
    "zes-maanden-vergoeding": [s(["withdrawal", "exit_fee"], {"kind": "annual_share", "months": 3})],
    "zes-exclusiviteit-regio": [s(["exclusivity"], {"kind": "region", "region": "de gemeente Utrecht"})],
    "twee-eerste-aanbod": [s(["exclusivity"], {"kind": "first_refusal"})],
    "zes-wervingsverbod-detachering": [s(["non_solicitation"], {"kind": "during_and_12_months"}),
                                       s(["secondment"], {"kind": "without_fee"})],
    "twee-detachering-vergoeding": [s(["secondment"], {"kind": "with_fee"})],
}


def _base_of(name: str) -> str:
    return next(b for b in sorted(BASES, key=len, reverse=True) if name == b or name.startswith(b + "-"))


@lru_cache(maxsize=None)
def _reference_agreement(name: str) -> Agreement:
    return render(build(_base_of(name), *REFERENCE_SETS[name]))


def _targets(agreement: Agreement) -> dict[str, str]:
    texts: dict[str, str] = {}
    for art in agreement.articles:
        body = []
        for m in art.members:
            text = m.body.text + "\n" + "\n".join(i.text for i in m.items)
            body.append(text)
            if m.label:
                texts[m.label] = text
        texts[art.clause_id] = art.title + "\n" + "\n".join(body)
    return texts


def _references(agreement: Agreement):
    for art in agreement.articles:
        for m in art.members:
            for paragraph in (m.body, *m.items):
                for segment in paragraph.segments:
                    if isinstance(segment, Ref) and not segment.label.startswith("bijlage."):
                        yield art.clause_id, segment.label, paragraph.text


@pytest.mark.parametrize("name", list(REFERENCE_SETS))
def test_every_reference_lands_on_the_member_that_says_what_the_sentence_claims(name):
    agreement = _reference_agreement(name)
    targets = _targets(agreement)
    for citing, label, sentence in _references(agreement):
        key = (citing, label)
        assert key in REFERENCES, f"nieuwe verwijzing {key}: voeg haar met een trefwoord toe aan REFERENCES"
        assert re.search(REFERENCES[key], targets[label], re.IGNORECASE), (
            f"artikel {citing} verwijst naar {label} ({agreement.number_of(label)}) in “{sentence[:120]}…”, "
            f"maar dat lid zegt niet /{REFERENCES[key]}/")


@pytest.mark.parametrize("name", ["twee-convenant"])
def test_the_covenant_list_names_each_article_by_its_own_title(name):
    agreement = _reference_agreement(name)
    titles = {str(a.number): a.title for a in agreement.articles}
    listed = member(agreement, "karakter.bindend")
    for number, title in _TITLED.findall(listed):
        assert titles[number].startswith(title), (number, title, titles[number])


def test_every_reference_in_the_table_is_still_made_somewhere():
    made = {(c, label) for name in REFERENCE_SETS for c, label, _ in _references(_reference_agreement(name))}
    assert set(REFERENCES) - made == set()


@pytest.mark.parametrize("base", ["twee", "zes"])
def test_confidentiality_speaks_of_the_other_party_when_there_are_two(base):
    agreement = render(build(base))
    duty = member(agreement, "geheimhouding.plicht")
    assert ("van de andere Partij verkrijgt" in duty) == (base == "twee")
    assert ("van een andere Partij verkrijgt" in duty) == (base != "twee")
