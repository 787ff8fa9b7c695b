"""Findings: what validation says about an answer set, with a stable code, severity and JSON path."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Any

from agreement_engine.i18n import N_, Text, _, in_language


class Severity(str, Enum):
    """How bad a finding is: an error blocks rendering, a warning does not (unless --strict)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """Return the word for this severity in the current language ("fout" in Dutch)."""
        return _(_SEVERITY_WORDS[self.value])


_SEVERITY_WORDS = {"error": N_("fout"), "warning": N_("waarschuwing"), "info": N_("opmerking")}


#: The message of the codes ``<section>.ignored_field``: a field the chosen variant does not use (rules.py adds
#: one code per section of its table of such fields with :func:`add_codes`, so the sections are listed once).
UNUSED_FIELD = N_("{title} wordt bij de keuze '{choice}' niet gebruikt en blijft buiten de overeenkomst")

#: Every finding code the engine can produce, with its severity and Dutch message template (a message id,
#: translated by ``make_finding``). Codes are stable: tools and tests rely on them. The codes
#: ``<section>.ignored_field`` are added by rules.py, from its table of fields only some choices use.
CATALOG: dict[str, tuple[Severity, str]] = {
    # reading the file
    "input.missing": (Severity.ERROR, N_("bestand niet gevonden: {file}")),
    "input.unreadable": (Severity.ERROR, N_("bestand kan niet worden gelezen: {reason}")),
    "input.not_regular_file": (Severity.ERROR, N_("{file} is {kind}, geen gewoon bestand; een antwoordenset "
                                                  "wordt alleen uit een gewoon bestand gelezen")),
    "input.too_large": (Severity.ERROR, N_("het bestand is groter dan {limit}; zo groot is geen antwoordenset")),
    "input.encoding": (Severity.ERROR, N_("het bestand is geen geldige UTF-8-tekst ({reason})")),
    "input.empty": (Severity.ERROR, N_("het bestand is leeg")),
    "input.not_json": (Severity.ERROR, N_("geen geldige JSON op regel {line}, kolom {column}: {reason}")),
    "input.not_object": (Severity.ERROR, N_("een antwoordenset moet een JSON-object zijn, geen {kind}")),
    "input.duplicate_key": (Severity.ERROR, N_("de sleutel '{key}' komt twee keer voor in hetzelfde object; "
                                               "de tweede zou de eerste ongemerkt vervangen")),
    "input.not_a_number": (Severity.ERROR, N_("'{value}' is geen getal dat JSON toestaat")),
    "input.too_deep": (Severity.ERROR, N_("de gegevens zijn te diep genest: meer dan {limit} lagen lijsten en "
                                          "objecten in elkaar; zo diep is geen antwoordenset")),
    "input.control_character": (Severity.ERROR,
                                N_("{title} bevat een teken dat niet in een Word-document kan staan "
                                   "(U+{codepoint:04X})")),
    # a portfolio workbook (the cell is named with the finding)
    "portfolio.not_a_number": (Severity.ERROR, N_("{title}: '{value}' is geen getal")),
    "portfolio.not_an_integer": (Severity.ERROR, N_("{title}: '{value}' is geen geheel getal")),
    "portfolio.not_a_date": (Severity.ERROR, N_("{title}: '{value}' is geen datum (typ bijvoorbeeld 1-1-2027)")),
    "portfolio.not_a_choice": (Severity.ERROR, N_("{title}: '{value}' staat niet in de keuzelijst; kies uit "
                                                  "{choices}")),
    "portfolio.not_yes_no": (Severity.ERROR, N_("{title}: '{value}' moet ja of nee zijn")),
    "portfolio.no_alliance": (Severity.ERROR, N_("deze regel noemt geen alliantie in de kolom {column}")),
    "portfolio.bad_alliance_id": (Severity.ERROR, N_("'{id}' is geen geldig kenmerk van een alliantie: kleine "
                                                     "letters, cijfers, '-' en '_', hoogstens 60 tekens")),
    "portfolio.duplicate_alliance": (Severity.ERROR, N_("de alliantie '{id}' staat al op rij {row}; ieder "
                                                        "kenmerk komt één keer voor")),
    "portfolio.unknown_alliance": (Severity.ERROR, N_("de alliantie '{id}' staat niet op het blad {sheet}")),
    "portfolio.unknown_party": (Severity.ERROR, N_("de partij '{id}' staat bij deze alliantie niet op het blad "
                                                   "{sheet}")),
    # the schema
    "schema.required": (Severity.ERROR, N_("{title} ontbreekt; dit veld is verplicht")),
    "schema.unknown_field": (Severity.ERROR, N_("onbekend veld '{field}'; controleer de spelling")),
    "schema.type": (Severity.ERROR, N_("{title} moet {expected} zijn, niet {actual}")),
    "schema.enum": (Severity.ERROR, N_("{title}: '{value}' is geen toegestane keuze; kies uit {choices}")),
    "schema.pattern": (Severity.ERROR, N_("{title}: '{value}' heeft niet de juiste vorm ({hint})")),
    "schema.range": (Severity.ERROR, N_("{title}: {detail}")),
    "schema.duplicate": (Severity.ERROR, N_("{title} bevat dezelfde waarde meer dan eens")),
    "schema.invalid": (Severity.ERROR, N_("{title} voldoet niet aan het schema: {detail}")),
    # values the schema cannot judge
    "value.date": (Severity.ERROR, N_("{title}: '{value}' is geen bestaande kalenderdatum")),
    "value.decimals": (Severity.ERROR, N_("{title}: {value} heeft meer dan twee decimalen")),
    "value.line_break": (Severity.ERROR, N_("{title} bevat een regeleinde (U+{codepoint:04X}); dit veld is één "
                                            "regel in de overeenkomst")),
    "value.unicode_line_break": (Severity.ERROR,
                                 N_("{title} bevat een Unicode-regelscheiding (U+{codepoint:04X}) die Word niet "
                                    "als gewone regel toont; gebruik een gewone nieuwe regel of een spatie")),
    "value.invisible": (Severity.ERROR, N_("{title} bestaat alleen uit onzichtbare tekens; vul een zichtbare "
                                           "tekst in")),
    "value.bidi_control": (Severity.ERROR,
                           N_("{title} bevat een teken dat de schrijfrichting van de tekst verandert "
                              "(U+{codepoint:04X}); daarmee kan een tekst er anders uitzien dan hij luidt, dus "
                              "het is niet toegestaan")),
    "value.not_computable": (Severity.ERROR, N_("de samenhang van de antwoorden kan niet worden gecontroleerd: "
                                                "een getal of datum is te groot om mee te rekenen")),
    # cross-field rules
    "party.duplicate_id": (Severity.ERROR, N_("het id '{id}' wordt ook gebruikt door partij {other}; "
                                              "ieder id moet uniek zijn")),
    "party.unknown_reference": (Severity.ERROR, N_("'{id}' is geen id van een partij in deze antwoordenset")),
    "party.council_decision_not_gemeente": (Severity.ERROR,
                                            N_("een collegebesluit hoort alleen bij een gemeente")),
    "shares.missing_member": (Severity.ERROR, N_("de verdeelsleutel bevat geen aandeel voor deze partij; "
                                                 "ieder lid moet een aandeel hebben")),
    "shares.commissioner": (Severity.ERROR, N_("een opdrachtgever neemt geen aandeel in de verdeelsleutel")),
    "shares.sum": (Severity.ERROR, N_("de aandelen in de verdeelsleutel tellen op tot {total} in plaats van "
                                      "precies 100%")),
    "resources.lead_party_not_member": (Severity.ERROR, N_("de penvoerder of hoofdaannemer moet een lid "
                                                           "zijn, geen opdrachtgever")),
    "client_continuity.designated_not_member": (Severity.ERROR, N_("de Partij die de hulp aan cliënten voortzet, "
                                                                   "moet een lid zijn, geen opdrachtgever")),
    "funding_end.no_financier": (Severity.WARNING, N_(
        "{title} wordt niet gebruikt: Partijen dragen ieder hun eigen kosten en geen opdrachtgever of financier "
        "ondertekent, zodat de overeenkomst geen artikel over het einde van de financiering bevat")),
    "funding_end.notice_without_commissioner": (Severity.WARNING, N_(
        "geen opdrachtgever of financier ondertekent de overeenkomst; de aankondigingstermijn bindt dan niemand "
        "en blijft buiten de overeenkomst")),
    "insolvency.step_in_not_member": (Severity.ERROR, N_("de overnemende partij moet een lid zijn, geen "
                                                         "opdrachtgever")),
                                                         "insolvency.automatic": (Severity.WARNING,
                             N_("automatische beëindiging bij insolventie (I1) wordt afgeraden; een beding dat "
                                "gevolgen verbindt aan een WHOA-akkoordprocedure heeft geen werking "
                                "(art. 373 lid 3 Fw), en bij faillissement mag het geen terugwerkende "
                                "verbeurte inhouden; overweeg een beëindigingsrecht (I2)")),
    "insolvency.loss_of_grant": (Severity.INFO,
                                 N_("het verlies van een subsidie, erkenning of vergunning is geen "
                                    "insolventie: het geldt in de overeenkomst niet als "
                                    "Insolventiegebeurtenis, maar als grond voor uitsluiting met een "
                                    "hersteltermijn (artikel Uitsluiting)")),
    "insolvency.no_events": (Severity.ERROR,
                             N_("er blijft geen Insolventiegebeurtenis over: het verlies van een subsidie, "
                                "erkenning of vergunning is een uitsluitingsgrond en geen "
                                "insolventie; kies ten minste één van faillissement, surseance van "
                                "betaling, ontbinding of beslaglegging")),
    "insolvency.gemeente_excluded": (Severity.INFO, N_("een gemeente kan niet failliet worden verklaard; zij "
                                                       "valt buiten het artikel over insolventie")),
    "insolvency.attachment_unused": (Severity.WARNING,
                                     N_("{title} wordt alleen gebruikt als beslaglegging een "
                                        "Insolventiegebeurtenis is, en blijft nu buiten de overeenkomst")),
    "insolvency.automatic_attachment": (Severity.WARNING,
                                        N_("bij automatische beëindiging (I1) eindigt de deelname van rechtswege "
                                           "door een beslag, ook als dat onterecht is of kort daarna wordt "
                                           "opgeheven; het beslag telt pas na de termijn voor opheffing en "
                                           "boven de drempel, maar een beëindigingsrecht (I2) is evenrediger")),
    "withdrawal.exit_fee_high": (Severity.WARNING,
                                 N_("een uittredingsvergoeding van {months} maanden van het jaarlijkse aandeel, "
                                    "zonder maximum, staat licht niet meer in verhouding tot de kosten van de "
                                    "uittreding en loopt het risico door de rechter te worden gematigd "
                                    "(art. 6:94 BW); geef een maximum of kies minder maanden")),
    "resources.exit_share_direct": (Severity.WARNING,
                                    N_("de regeling voor het aandeel in de bijdragen bij uittreding geldt alleen "
                                       "als een penvoerder of hoofdaannemer de bijdragen beheert; bij "
                                       "rechtstreekse betaling is er geen gezamenlijk saldo en blijft zij buiten "
                                       "de overeenkomst")),
    "continuation.min_parties": (Severity.ERROR, N_("het minimumaantal partijen voor voortzetting ({min}) is "
                                                    "groter dan het aantal leden ({members})")),
    "term.notice_too_long": (Severity.ERROR, N_("de opzegtermijn van {notice} maanden is niet korter dan de "
                                                "looptijd van {years} jaar")),
    "term.lock_in_outside": (Severity.ERROR, N_("de datum tot wanneer niet kan worden opgezegd ({lock_in}) "
                                                "ligt niet binnen de looptijd ({start} tot {end})")),
    "term.beyond_calendar": (Severity.ERROR, N_("een looptijd van {years} jaar vanaf {start} eindigt na het jaar "
                                                "9999; zo'n datum kan de overeenkomst niet noemen")),
    "term.renewal_beyond_calendar": (Severity.ERROR,
                                     N_("een verlenging met {years} jaar na het einde van de eerste looptijd "
                                        "({end}) eindigt na het jaar 9999; zo'n datum kan de overeenkomst niet "
                                        "noemen")),
    "term.renewal_without_fixed_term": (Severity.WARNING, N_("stilzwijgende verlenging heeft alleen betekenis "
                                                             "bij een bepaalde looptijd")),
    "signing.after_start": (Severity.WARNING, N_("de ondertekeningsdatum ({signing}) ligt na de ingangsdatum "
                                                 "({start})")),
    "condition.deadline_after_start": (Severity.WARNING, N_("de uiterste datum van deze voorwaarde ({deadline}) "
                                                            "ligt na de ingangsdatum ({start})")),
    "condition.deadline_not_after_signing": (
        Severity.ERROR, N_("de uiterste datum van deze voorwaarde ({deadline}) ligt niet na de datum van "
                           "ondertekening ({signing}): de voorwaarde is bij ondertekening al niet vervuld en de "
                           "overeenkomst zou niet in werking treden; kies een latere datum, of neem een voorwaarde "
                           "waaraan al is voldaan op als verklaring (vorm 'warranty')")),
    "condition.start_not_after_signing": (
        Severity.ERROR, N_("deze voorwaarde heeft geen uiterste datum en moet daarom uiterlijk op de ingangsdatum "
                           "({start}) zijn vervuld, maar die ligt niet na de datum van ondertekening ({signing}); "
                           "geef een uiterste datum na de ondertekening, of neem een voorwaarde waaraan al is "
                           "voldaan op als verklaring (vorm 'warranty')")),
    "condition.warranty_deadline": (Severity.WARNING, N_("een verklaring heeft geen uiterste datum; de datum "
                                                         "{deadline} blijft buiten de overeenkomst")),
    "signing.many_together": (Severity.WARNING, N_("{count} partijen ondertekenen gezamenlijk op één plaats en "
                                                   "datum, in {count} exemplaren; bij meer dan {limit} partijen is "
                                                   "afzonderlijke ondertekening (mode 'separately'), eventueel "
                                                   "elektronisch, praktischer")),
    "party.gemeente_not_burgemeester": (
        Severity.ERROR, N_("alleen de burgemeester vertegenwoordigt de gemeente op grond van art. 171 lid 1 "
                           "Gemeentewet; {name} ({function}) vertegenwoordigt haar krachtens aanwijzing door de "
                           "burgemeester (art. 171 lid 2 Gemeentewet): kies de grondslag 'power_of_attorney' en "
                           "vul de aanwijzing in (datum of kenmerk)")),
    "party.appointment_not_gemeente": (Severity.ERROR, N_("een aanwijzing als bedoeld in art. 171 lid 2 "
                                                          "Gemeentewet hoort alleen bij een gemeente")),
    "party.seat_assumed": (Severity.INFO, N_("statutaire zetel niet opgegeven; aangenomen: {place}")),
    "party.basis_assumed": (Severity.INFO, N_("grondslag van vertegenwoordiger {number} niet opgegeven; "
                                              "aangenomen: statutair bevoegd (\"rechtsgeldig vertegenwoordigd\")")),
    "party.council_decision_assumed": (Severity.INFO, N_("collegebesluit niet opgegeven; de comparitie verwijst "
                                                         "zonder datum en kenmerk naar \"het daartoe strekkende "
                                                         "besluit van het college van burgemeester en wethouders\"")),
    "recital.main_clause": (Severity.WARNING, N_("deze overweging lijkt een hoofdzin (\"{start} ...\"); na "
                                                 "\"OVERWEGENDE DAT:\" hoort een bijzin met de persoonsvorm "
                                                 "achteraan, bijvoorbeeld \"Partijen hun aanbod willen "
                                                 "bundelen\"")),
    "liability.joint_not_allowed": (Severity.ERROR,
                                    N_("hoofdelijke aansprakelijkheid is niet mogelijk: de statuten staan niet "
                                       "toe dat het bestuur de {form} hoofdelijk verbindt (art. {article} BW)")),
    "liability.aggregate_below_amount": (Severity.ERROR,
                                         N_("het maximum per kalenderjaar is lager dan het maximum per "
                                            "gebeurtenis; het maximum per kalenderjaar moet ten minste even hoog "
                                            "zijn")),
    "liability.cap_share_unknown": (Severity.WARNING,
                                    N_("een beperking tot een percentage van het jaarlijkse aandeel: bij dit "
                                       "verdeelmodel volgt het aandeel van iedere Partij pas uit het Jaarplan, "
                                       "dus bij ondertekening weet geen Partij tot welk bedrag zij aansprakelijk "
                                       "is; overweeg een vast maximumbedrag")),
    "liability.cap_share_nil": (Severity.ERROR,
                                N_("deze partij heeft geen aandeel of bijdrage waarvan een percentage kan worden "
                                   "genomen: haar aansprakelijkheid zou tot nul beperkt zijn; kies een vast "
                                   "maximumbedrag of geef haar een aandeel")),
    "liability.joint_unknown": (Severity.WARNING,
                                N_("bij hoofdelijke aansprakelijkheid moet vaststaan dat de statuten toestaan dat "
                                   "het bestuur de {form} hoofdelijk verbindt (art. {article} BW); "
                                   "vul 'articles_allow_joint_liability' in")),
    "name.defined_term": (Severity.ERROR, N_("{title}: '{name}' is al een begrip van de overeenkomst ({term}); "
                                             "kies een andere naam, anders betekent één woord in de overeenkomst "
                                             "twee dingen")),
    "name.taken": (Severity.ERROR, N_("{title}: '{name}' is ook de naam van {other}; ieder begrip in de "
                                      "overeenkomst moet één ding aanduiden")),
    "disputes.court_missing": (Severity.ERROR, N_("bij deze geschillenregeling moet de bevoegde rechtbank worden "
                                                  "genoemd (bijvoorbeeld \"Rechtbank Midden-Nederland\"); de "
                                                  "engine raadt die niet")),
    # comfort: what each party needs before it signs (comfort[])
    "condition.duplicate_id": (Severity.ERROR, N_("het kenmerk '{id}' wordt ook gebruikt door voorwaarde {other}; "
                                                  "ieder kenmerk van een voorwaarde moet uniek zijn")),
    "comfort.source": (Severity.ERROR, N_("geef bij deze comfortwens óf een voorwaarde op de antwoorden (requires), "
                                          "óf het lid of de voorwaarde die het comfort geeft (provided_by), niet "
                                          "allebei")),
    "comfort.syntax": (Severity.ERROR, N_("de voorwaarde van deze comfortwens is geen geldige expressie: {reason}")),
    "comfort.unknown_field": (Severity.ERROR, N_("onbekend veld '{field}' in de voorwaarde van deze comfortwens; "
                                                 "controleer de spelling")),
    "comfort.unknown_provider": (Severity.ERROR,
                                 N_("'{label}' is geen label van een lid in de clausulebibliotheek en geen kenmerk "
                                    "van een opschortende voorwaarde")),
    "comfort.unmet_must": (Severity.WARNING, N_("\"{need}\" is nodig om te tekenen, maar de overeenkomst geeft "
                                                "het niet")),
    "comfort.unmet_wish": (Severity.INFO, N_("\"{need}\" is een wens die de overeenkomst niet vervult")),
    # the articles of the second legal review
    "publicity.rights_holder_not_member": (Severity.ERROR,
                                           N_("de rechten op naam en logo worden gehouden door een deelnemende "
                                              "Partij, niet door een opdrachtgever")),
    "notices.contact_missing": (Severity.INFO, N_("geen contactpersoon voor mededelingen opgegeven; de "
                                                  "overeenkomst verplicht deze Partij er binnen tien Werkdagen na "
                                                  "ondertekening een aan te wijzen")),
    "costs.key_without_allocation": (Severity.ERROR, N_("gezamenlijke kosten kunnen alleen naar de verdeelsleutel "
                                                        "worden verdeeld bij verdeelmodel M1 (vaste verdeelsleutel); "
                                                        "kies gelijke delen of eigen kosten")),
    # exclusivity, staff and security (issue 14, items 7, 8 and 11)
    "exclusivity.competition_risk": (Severity.WARNING, N_(
        "{count} deelnemende Partijen met dezelfde rechtsvorm ({form}) spreken exclusiviteit af; tussen aanbieders "
        "van dezelfde diensten kan dat een verboden verdeling van afnemers zijn (artikel 6 Mededingingswet, en "
        "artikel 101 VWEU als de handel tussen lidstaten merkbaar kan worden beïnvloed): laat vooraf beoordelen of "
        "de afspraak noodzakelijk is voor de samenwerking en onder een vrijstelling valt, of kies geen "
        "exclusiviteit")),
    "exclusivity.joint_purchasing_risk": (Severity.WARNING, N_(
        "{count} deelnemende Partijen met dezelfde rechtsvorm ({form}) kopen gezamenlijk in; gezamenlijke inkoop "
        "door concurrenten kan de mededinging beperken (artikel 6 Mededingingswet, en artikel 101 VWEU als de "
        "handel tussen lidstaten merkbaar kan worden beïnvloed): laat vooraf beoordelen of het gezamenlijke "
        "inkoopvolume en de uitgewisselde gegevens beperkt genoeg blijven")),
    "security.amount_not_positive": (Severity.ERROR, N_("het bedrag van de garantie moet groter zijn dan nul")),
    "security.gemeente": (Severity.INFO, N_(
        "een gemeente die zekerheid stelt voor haar eigen verplichtingen is ongebruikelijk (zij kan "
        "niet failliet worden verklaard) en heeft daarvoor een besluit van het college nodig; controleer of dit "
        "bedoeld is")),
    "security.no_lead_party": (Severity.ERROR, N_(
        "de garantie kan alleen ten gunste van de Penvoerder worden afgegeven als de middelen via een penvoerder "
        "lopen; kies de overige Partijen als begunstigde")),
    "security.own_beneficiary": (Severity.ERROR, N_(
        "de Partij die zekerheid stelt, is zelf de Penvoerder en kan geen garantie ten gunste van zichzelf "
        "stellen; kies de overige Partijen als begunstigde")),
    # the financing basis
    "financing.route_mismatch": (Severity.ERROR,
                                 N_("de geldstroom '{route}' past niet bij de grondslag '{basis}'; kies een van: "
                                    "{routes}")),
    "financing.state_aid_missing": (Severity.WARNING,
                                    N_("bij een subsidie moet vaststaan op welke grond de financiering verenigbaar "
                                       "is met de staatssteunregels: een dienst van algemeen economisch belang "
                                       "met een besluit tot toevertrouwing ('sgei'), de-minimissteun voor DAEB "
                                       "('de_minimis') of geen economische activiteit ('no_economic_activity'); "
                                       "zonder keuze zegt de overeenkomst daar niets over")),
    "financing.entrustment_missing": (Severity.INFO,
                                      N_("bij een dienst van algemeen economisch belang hoort een besluit waarbij "
                                         "de financier de dienst toevertrouwt; zolang het niet is genoemd, bepaalt "
                                         "de overeenkomst dat de financier het nog neemt")),
    "financing.award_route": (Severity.INFO,
                              N_("bij een opdracht bepaalt de financier langs welke weg zij wordt verleend "
                                 "(meestal het regime voor sociale en andere specifieke diensten van de "
                                 "Aanbestedingswet 2012); de overeenkomst stelt niet vast dat de opdracht "
                                 "rechtmatig is verleend: laat de motivering van de gunning toetsen")),
    "financing.own_legal_entity": (Severity.ERROR,
                                   N_("deze engine stelt alleen contractuele samenwerkingen op; een samenwerking "
                                      "met een eigen rechtspersoon (stichting of coöperatie U.A.) vraagt statuten "
                                      "en een notariële akte en valt daarbuiten: laat die door een notaris "
                                      "opstellen, of kies hier een contractuele samenwerking "
                                      "(own_legal_entity false)")),
    # quality, complaints and calamities; governance completed
    "quality.not_member": (Severity.ERROR, N_("een opdrachtgever verleent binnen de samenwerking geen zorg, "
                                              "ondersteuning of hulp; noem bij de kwaliteitswetten alleen "
                                              "deelnemende Partijen")),
    "quality.youth_without_jeugdwet": (Severity.WARNING,
                                       N_("binnen de samenwerking wordt jeugdhulp verleend, maar geen enkele Partij "
                                          "is opgegeven als jeugdhulpaanbieder onder de Jeugdwet; noem de Partijen "
                                          "die jeugdhulp verlenen")),
    "quality.jeugdwet_without_youth": (Severity.WARNING,
                                       N_("er zijn Partijen opgegeven onder de Jeugdwet, maar volgens de antwoorden "
                                          "wordt binnen de samenwerking geen jeugdhulp verleend; zet "
                                          "'youth_in_scope' op true of haal de Partijen weg")),
    "quality.no_meldcode": (Severity.WARNING,
                            N_("de overeenkomst verplicht Partijen niet tot een meldcode huiselijk geweld en "
                               "kindermishandeling, maar voor {parties} is een meldcode wettelijk verplicht "
                               "(Wmo 2015, Jeugdwet of Wkkgz)")),
    "quality.joint_complaints_wkkgz": (Severity.WARNING,
                                       N_("een gezamenlijke klachtenregeling geldt voor een zorgaanbieder onder de "
                                          "Wkkgz alleen als zij aan de eisen van die wet voldoet "
                                          "(klachtenfunctionaris, beslistermijn, erkende geschilleninstantie); "
                                          "laat haar toetsen voor {parties}")),
    "quality.vog_older_than_three_months": (Severity.WARNING,
                                            N_("een VOG van ten hoogste {months} maanden oud is ruimer dan de drie "
                                               "maanden die gebruikelijk is en die de regels voor jeugdhulp en de "
                                               "inkoopvoorwaarden van gemeenten vaak eisen; controleer of de langere "
                                               "termijn is toegestaan")),
    "governance.secretariat_commissioner": (Severity.WARNING,
                                            N_("de secretaris of programmamanager is in dienst van een opdrachtgever; "
                                               "die persoon werkt dan voor het bestuursorgaan van de samenwerking "
                                               "en voor de financier tegelijk; leg vast hoe de onafhankelijkheid "
                                               "is geborgd, of kies een deelnemende Partij")),
    "governance.escalation_without_commissioner": (Severity.WARNING,
                                                   N_("escalatie naar de opdrachtgever is gekozen, maar er is geen "
                                                      "opdrachtgever onder de Partijen; de overeenkomst slaat die "
                                                      "stap over")),
}


def add_codes(codes: Mapping[str, tuple[Severity, str]]) -> None:
    """Add finding codes that a stage derives from its own tables to :data:`CATALOG`; a code keeps its meaning.

    >>> add_codes({"input.empty": CATALOG["input.empty"]})
    >>> add_codes({"input.empty": (Severity.WARNING, "anders")})
    Traceback (most recent call last):
    ValueError: finding code 'input.empty' is already defined otherwise
    """
    for code, entry in codes.items():
        if CATALOG.setdefault(code, entry) != entry:
            raise ValueError(f"finding code {code!r} is already defined otherwise")


@dataclass(frozen=True)
class Finding:
    """One thing validation found: stable code, severity, JSON path and the message with its values.

    ``text`` is the message as a :class:`~agreement_engine.i18n.Text`: made in the language it is shown in
    (:func:`message`), so one validation serves every language. ``values`` are the message's parameters and
    ``party`` the party it concerns, as data for a tool.
    """

    code: str
    severity: Severity
    path: str
    text: Text
    values: Mapping[str, Any] = field(default_factory=dict, compare=False)
    party: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, Text):  # a message made elsewhere stays what it is in every language
            object.__setattr__(self, "text", Text.plain(self.text))

    @property
    def message(self) -> str:
        """Return the message in the language the finding was made in (the one validation spoke)."""
        return str(self.text)

    def to_dict(self, language: str | None = None) -> dict:
        """Return the finding as plain JSON-ready data, its message in ``language`` (default: as made)."""
        return {"code": self.code, "severity": self.severity.value, "path": self.path,
                "message": self.message if language is None else message(self, language)}

    def sort_key(self) -> tuple:
        """Order findings by JSON path (array indexes numerically), then code."""
        return (path_sort_key(self.path), self.code)


def message(finding: Finding, language: str) -> str:
    """Return the message of ``finding`` in ``language``.

    >>> message(make_finding("input.empty", "$"), "en")
    'the file is empty'
    """
    return finding.text.in_language(language)


def make_finding(code: str, path: str, party: str | None = None, **values) -> Finding:
    """Build the finding ``code`` at ``path``; ``party`` prefixes the message with the party it concerns.

    A value that is a :class:`~agreement_engine.i18n.Text` (a field title, a date, a choice) is shown in the
    language of the message.

    >>> make_finding("input.empty", "$").message
    'het bestand is leeg'
    >>> make_finding("shares.commissioner", "$.resources.shares.gemeente",
    ...              party="Partij 6 (Gemeente Utrecht)").message
    'Partij 6 (Gemeente Utrecht): een opdrachtgever neemt geen aandeel in de verdeelsleutel'
    """
    severity, template = CATALOG[code]
    values = {key: printable(value, _VALUE_LIMIT) if isinstance(value, str) and not isinstance(value, Text)
              and len(value) > _VALUE_LIMIT else value for key, value in values.items()}
    text = Text.made(partial(_message, template, party, values))
    return Finding(code=code, severity=severity, path=path, text=text, values=values, party=party)


def _message(template: str, party: str | None, values: Mapping[str, Any], language: str) -> str:
    text = Text(template, **values).in_language(language) if values else Text(template).in_language(language)
    if party:
        text = f"{in_language(party, language)}: {text}"
    return _escape_controls(text)


#: The longest value a message quotes whole; a longer one (a 100,000-character key) is shortened with "…".
_VALUE_LIMIT = 200

#: Characters that must never reach a terminal or a log raw: C0 and C1 controls (an escape sequence can
#: repaint a terminal) and lone surrogates (no encoding can write them).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape_controls(text: str) -> str:
    r"""Write every control character and lone surrogate in ``text`` as a ``\uXXXX`` escape.

    >>> print(_escape_controls("rood\x1b[31m en \ud800"))
    rood\u001b[31m en \ud800
    """
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


def path_sort_key(path: str) -> tuple:
    """Split a JSON path into a key that sorts ``[2]`` before ``[10]``.

    >>> sorted(["$.parties[10].kvk", "$.parties[2].kvk", "$"], key=path_sort_key)
    ['$', '$.parties[2].kvk', '$.parties[10].kvk']
    """
    key = []
    for name, index, quoted in _PATH_PART.findall(path):
        key.append((1, index and int(index) or 0, "") if index else (0, 0, name or quoted))
    return tuple(key)


#: The longest key a JSON path shows whole.
_KEY_LIMIT = 60


def json_path(parts) -> str:
    r"""Write path parts (keys and indexes) as a JSON path.

    >>> json_path(["parties", 1, "kvk"])
    '$.parties[1].kvk'
    >>> json_path(["resources", "shares", "de haven"])
    "$.resources.shares['de haven']"
    >>> print(json_path(["rood\x1b[31m"]))
    $['rood\u001b[31m']
    """
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$-]*", part) and len(part) <= _KEY_LIMIT:
            out += f".{part}"
        else:
            if len(part) > _KEY_LIMIT:
                part = part[: _KEY_LIMIT - 1] + "…"  # no key of an answer set is this long: it is only named
            escaped = _escape_controls(part.replace("\\", "\\\\").replace("'", "\\'"))
            out += f"['{escaped}']"
    return out


def printable(value: object, limit: int = 60) -> str:
    r"""Show ``value`` for a message: control characters escaped, long text shortened.

    >>> print(printable("a\x01b"))
    a\u0001b
    >>> printable("x" * 70)[-3:]
    'xx…'
    """
    text = value if isinstance(value, str) else repr(value)
    text = text[: limit * 2]  # each kept character becomes at most one escape; more is never shown
    text = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def has_errors(findings) -> bool:
    """Return whether any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)
