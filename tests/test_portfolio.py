"""The portfolio workbook: template, filling it in, import with located problems, batch, round trip."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES, example, run

from agreement_engine import batch, portfolio
from agreement_engine.cli import _documents_to_make
from agreement_engine.resources import load_schema


def columns(sheet) -> dict[str, int]:
    """Return the column number of every field of a portfolio sheet, from its hidden row of field names."""
    return {cell.value: cell.column for cell in sheet[portfolio.KEY_ROW] if cell.value}


def fill(sheet, row: int, values: dict) -> None:
    """Type ``values`` (field name -> what a facilitator types) into ``row`` of ``sheet``."""
    where = columns(sheet)
    for key, value in values.items():
        sheet.cell(row, where[key], value)


ALLIANCE = {
    "#alliance": "samen-aan-tafel", "document.kind": "Samenwerkingsovereenkomst",
    "alliance.name": "Samen aan Tafel",
    "alliance.purpose": "Partijen organiseren samen wekelijkse buurtmaaltijden in de wijk Assendorp.",
    "alliance.start_date": dt.datetime(2027, 3, 1), "alliance.term.kind": "Onbepaalde tijd",
    "resources.model": "M4 Ieder eigen kosten, gezamenlijke kosten uit bijdragen",
    "liability.model": "A1 Ieder aansprakelijk voor eigen handelen", "withdrawal.notice_months": 3,
    "disputes.route": "Rechter", "disputes.court": "Rechtbank Overijssel", "alliance.signing.mode": "Afzonderlijk: plaats en datum per Partij",
}
PARTIES = [
    {"#alliance": "samen-aan-tafel", "id": "buurtwerk", "name": "Stichting Buurtwerk Zwolle",
     "legal_form": "Stichting", "kvk": "05087431", "address.street": "Assendorperstraat 98",
     "address.postal_code": "8012 DN", "address.city": "Zwolle", "resources.contributions": 7500,
     "articles_allow_joint_liability": "nee"},
    {"#alliance": "samen-aan-tafel", "id": "eettafel", "name": "Vereniging De Eettafel Zwolle",
     "legal_form": "Vereniging", "kvk": "64318207", "address.street": "Diezerkade 14",
     "address.postal_code": "8021 CV", "address.city": "Zwolle", "resources.contributions": 2500.5},
]
REPRESENTATIVES = [
    {"#alliance": "samen-aan-tafel", "#party": "buurtwerk", "name": "mevrouw E. Wolters",
     "function": "directeur-bestuurder"},
    {"#alliance": "samen-aan-tafel", "#party": "eettafel", "name": "de heer G. Lubbers", "function": "voorzitter",
     "basis": "Statutair"},
]


def filled_workbook(path: Path, *, bad_kvk: str | None = None) -> Path:
    """Write the template, fill in one alliance as a facilitator would (and, with ``bad_kvk``, a second one
    whose first party has that KvK number), and save it to ``path``."""
    portfolio.write_portfolio(path)
    book = openpyxl.load_workbook(path)
    names = [s.name for s in portfolio.layout()]
    alliances, parties, representatives = (book[n] for n in names[:3])
    fill(alliances, 4, ALLIANCE)
    for row, values in enumerate(PARTIES, start=4):
        fill(parties, row, values)
    for row, values in enumerate(REPRESENTATIVES, start=4):
        fill(representatives, row, values)
    if bad_kvk is not None:
        fill(alliances, 5, {**ALLIANCE, "#alliance": "fout", "alliance.name": "Foute Boel"})
        for row, values in enumerate(PARTIES, start=6):
            fill(parties, row, {**values, "#alliance": "fout", **({"kvk": bad_kvk} if row == 6 else {})})
        for row, values in enumerate(REPRESENTATIVES, start=6):
            fill(representatives, row, {**values, "#alliance": "fout"})
    book.save(path)
    return path


def test_the_template_has_dutch_headers_drop_downs_help_and_typed_columns(tmp_path):
    target = tmp_path / "portfolio.xlsx"
    assert run("portfolio", "template", "-o", str(target)).exit_code == 0
    book = openpyxl.load_workbook(target)
    expected = [s.name for s in portfolio.layout()]
    assert book.sheetnames == expected + [portfolio.LISTS_SHEET]
    assert expected[:4] == ["Allianties", "Partijen", "Vertegenwoordigers", "Voorwaarden (comfort)"]
    assert book[portfolio.LISTS_SHEET].sheet_state == "hidden"
    parties = book["Partijen"]
    where = columns(parties)
    assert parties.cell(portfolio.TITLE_ROW, where["kvk"]).value == "KvK-nummer"
    assert "Kamer van Koophandel" in parties.cell(portfolio.TITLE_ROW, where["kvk"]).comment.text
    assert parties.row_dimensions[portfolio.KEY_ROW].hidden
    # a drop-down list of the Dutch labels for every choice, input help from the schema's description
    legal_form = parties.cell(portfolio.FIRST_ROW, where["legal_form"]).coordinate
    rule = next(v for v in parties.data_validations.dataValidation if legal_form in v.sqref)
    assert rule.type == "list" and rule.showInputMessage and rule.prompt
    sheet_name, cells = rule.formula1.split("!")
    labels = [c.value for row in book[sheet_name][cells.replace("$", "")] for c in row]
    assert "stichting" in labels and "besloten vennootschap (B.V.)" in labels
    enums = sum(1 for s in portfolio.layout() for c in s.columns if c.kind == "choice")
    lists = sum(1 for name in expected for v in book[name].data_validations.dataValidation if v.type == "list")
    assert lists >= enums
    # dates as dates, amounts as numbers, text as text (a KvK number keeps its leading zero)
    alliances = book["Allianties"]
    at = columns(alliances)
    letter = openpyxl.utils.get_column_letter
    assert alliances.column_dimensions[letter(at["alliance.start_date"])].number_format == "DD-MM-YYYY"
    assert alliances.column_dimensions[letter(at["resources.annual_budget"])].number_format == "#,##0.00"
    assert parties.column_dimensions[letter(where["kvk"])].number_format == "@"
    assert alliances.cell(portfolio.TITLE_ROW, at["alliance.name"]).value == "Naam van de alliantie"


def test_the_sheets_follow_the_schema_so_a_new_list_needs_no_code(monkeypatch):
    schema = json.loads(json.dumps(load_schema()))
    schema["properties"]["wishes"] = {"title": "Wensen", "type": "array", "items": {
        "type": "object", "properties": {"party": {"$ref": "#/$defs/party_id", "title": "Partij"},
                                         "priority": {"title": "Prioriteit", "type": "string",
                                                      "enum": ["must", "wish"],
                                                      "x-labels": {"must": "Moet", "wish": "Wens"}}}}}
    schema["properties"]["document"]["properties"]["pages"] = {"title": "Aantal pagina's", "type": "integer"}
    sheets = {s.name: s for s in portfolio.layout(schema)}
    assert [c.key for c in sheets["Wensen"].columns] == ["party", "priority"]
    assert sheets["Wensen"].columns[1].choices == {"must": "Moet", "wish": "Wens"}
    assert "document.pages" in [c.key for c in sheets["Allianties"].columns]


def test_a_filled_workbook_imports_batches_and_reports_a_bad_row_at_its_cell(tmp_path):
    book = filled_workbook(tmp_path / "portfolio.xlsx", bad_kvk="123")
    letter = openpyxl.utils.get_column_letter(columns(openpyxl.load_workbook(book)["Partijen"])["kvk"])
    cell = f"Partijen, rij 6, kolom {letter} (KvK-nummer)"
    answers = tmp_path / "answers"
    result = run("portfolio", "import", str(book), "--out-dir", str(answers))
    assert result.exit_code == 1, result.output
    assert f"{cell}: Partij 1 (Stichting Buurtwerk Zwolle): KvK-nummer: '123'" in result.output
    assert "niets geschreven voor fout" in result.output
    assert sorted(p.name for p in answers.iterdir()) == ["samen-aan-tafel.json"]
    written = json.loads((answers / "samen-aan-tafel.json").read_text("utf-8"))
    assert written["alliance"]["start_date"] == "2027-03-01" and written["document"]["kind"] == "cooperation"
    assert written["resources"]["contributions"] == {"buurtwerk": 7500, "eettafel": 2500.5}
    assert written["parties"][0]["kvk"] == "05087431" and written["parties"][0]["articles_allow_joint_liability"] is False
    assert [r["name"] for r in written["parties"][1]["representatives"]] == ["de heer G. Lubbers"]
    assert run("check", str(answers / "samen-aan-tafel.json")).exit_code == 0

    out = tmp_path / "out"
    result = run("batch", str(book), "--out-dir", str(out), "--jobs", "1")
    assert result.exit_code == 1
    assert cell in result.output
    items = {item["input"].rsplit("#", 1)[1]: item for item in json.loads((out / batch.REPORT).read_text())["items"]}
    assert items["samen-aan-tafel"]["status"] == "rendered" and items["fout"]["status"] == "invalid"
    assert items["samen-aan-tafel"]["alliance"] == "Samen aan Tafel"
    bad = next(f for f in items["fout"]["findings"] if f["path"] == "$.parties[0].kvk")
    assert bad["where"] == cell
    assert (out / "samen-aan-tafel.docx").exists() and not (out / "fout.docx").exists()

    sheet = openpyxl.load_workbook(out / batch.MORNING_REPORT).active
    header = [c.value for c in sheet[1]]
    rows = {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"Samen aan Tafel", "Foute Boel"}
    good, wrong = rows["Samen aan Tafel"], rows["Foute Boel"]
    assert good["Status"] == "gemaakt" and wrong["Status"] == "ongeldig" and wrong["Fouten"] >= 1
    assert cell in wrong["Bevindingen"]
    assert good["Onderlinge aansprakelijkheid"] == "Ieder aansprakelijk voor eigen handelen"
    assert good["Verdeling van middelen"] == "Ieder eigen kosten, gezamenlijke kosten uit bijdragen"
    assert good["Geschillen"] == "Rechter"
    link = next(c for c in sheet[2 if sheet["A2"].value == "Samen aan Tafel" else 3] if c.hyperlink)
    assert link.hyperlink.target == "samen-aan-tafel.docx" and link.value == "samen-aan-tafel.docx"


@pytest.mark.parametrize(("column", "typed", "finding"), [
    ("alliance.start_date", "31-02-2027", "is geen datum"),
    ("liability.model", "Iedereen voor zich", "staat niet in de keuzelijst"),
    ("withdrawal.notice_months", "drie", "is geen getal"),
    ("withdrawal.notice_months", 2.5, "is geen geheel getal"),
])
def test_a_cell_that_cannot_be_read_is_named_with_its_column(tmp_path, column, typed, finding):
    path = filled_workbook(tmp_path / "portfolio.xlsx")
    book = openpyxl.load_workbook(path)
    fill(book["Allianties"], 4, {column: typed})
    book.save(path)
    alliance, = portfolio.read_portfolio(path)
    assert not alliance.ok
    problem = next(p for p in alliance.problems if finding in p.finding.message)
    assert problem.where.sheet == "Allianties" and problem.where.row == 4
    assert problem.where.column == openpyxl.utils.get_column_letter(columns(book["Allianties"])[column])


#: Per finding of a workbook: the sheet, the row and what is typed there, in a workbook with one good alliance.
WORKBOOK_CASES = {
    "portfolio.not_a_number": ("Allianties", 4, {"withdrawal.notice_months": "drie"}),
    "portfolio.not_an_integer": ("Allianties", 4, {"withdrawal.notice_months": 2.5}),
    "portfolio.not_a_date": ("Allianties", 4, {"alliance.start_date": "31-02-2027"}),
    "portfolio.not_a_choice": ("Allianties", 4, {"liability.model": "Iedereen voor zich"}),
    "portfolio.not_yes_no": ("Partijen", 4, {"articles_allow_joint_liability": "misschien"}),
    "portfolio.no_alliance": ("Allianties", 7, {"alliance.name": "Zonder kenmerk"}),
    "portfolio.bad_alliance_id": ("Allianties", 7, {**ALLIANCE, "#alliance": "Samen aan Tafel"}),
    "portfolio.duplicate_alliance": ("Allianties", 7, ALLIANCE),
    "portfolio.unknown_alliance": ("Partijen", 9, {**PARTIES[0], "#alliance": "onbekend"}),
    "portfolio.unknown_party": ("Vertegenwoordigers", 9, {**REPRESENTATIVES[0], "#party": "niemand"}),
}


def test_every_finding_of_a_workbook_has_a_case():
    from agreement_engine.findings import CATALOG

    assert set(WORKBOOK_CASES) == {code for code in CATALOG if code.startswith("portfolio.")}


@pytest.mark.parametrize("code", sorted(WORKBOOK_CASES))
def test_each_finding_of_a_workbook_is_placed_at_its_row(tmp_path, code):
    sheet, row, values = WORKBOOK_CASES[code]
    path = filled_workbook(tmp_path / "portfolio.xlsx")
    book = openpyxl.load_workbook(path)
    fill(book[sheet], row, values)
    book.save(path)
    try:
        problems = [p for a in portfolio.read_portfolio(path) for p in a.problems]
    except portfolio.PortfolioError as exc:  # a row of no alliance: the workbook as a whole is refused
        problems = exc.problems
    found = [p for p in problems if p.finding.code == code]
    assert found and all(p.where.sheet == sheet and p.where.row == row for p in found), problems


def test_rows_of_an_unknown_alliance_or_party_are_refused(tmp_path):
    path = filled_workbook(tmp_path / "portfolio.xlsx")
    book = openpyxl.load_workbook(path)
    fill(book["Vertegenwoordigers"], 9, {**REPRESENTATIVES[0], "#party": "niemand"})
    book.save(path)
    alliance, = portfolio.read_portfolio(path)
    assert any(p.finding.code == "portfolio.unknown_party" and p.where.row == 9 for p in alliance.problems)
    fill(book["Partijen"], 9, {**PARTIES[0], "#alliance": "onbekend"})
    book.save(path)
    result = run("portfolio", "import", str(path), "--out-dir", str(tmp_path / "a"))
    assert result.exit_code == 1 and "Partijen, rij 9" in result.output and "onbekend" in result.output
    assert not (tmp_path / "a").exists()


def test_a_file_that_is_no_workbook_is_a_message_not_a_traceback(tmp_path):
    fake = tmp_path / "kapot.xlsx"
    fake.write_bytes(b"geen zip")
    result = run("portfolio", "import", str(fake), "--out-dir", str(tmp_path / "a"))
    assert result.exit_code == 1 and "geen Excel-werkmap" in result.output
    result = run("batch", str(fake), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 1 and "geen Excel-werkmap" in result.output
    other = openpyxl.Workbook()
    other.active.title = "Allianties"
    other.active["A1"] = "mijn eigen lijstje"
    other.save(tmp_path / "eigen.xlsx")
    result = run("portfolio", "import", str(tmp_path / "eigen.xlsx"), "--out-dir", str(tmp_path / "a"))
    assert result.exit_code == 1 and "ontbreekt de verborgen rij 3" in result.output
    assert not (tmp_path / "a").exists()


def test_export_then_import_gives_back_every_example(tmp_path):
    target = tmp_path / "portfolio.xlsx"
    assert run("portfolio", "export", str(EXAMPLES), "-o", str(target)).exit_code == 0
    answers = tmp_path / "answers"
    result = run("portfolio", "import", str(target), "--out-dir", str(answers))
    assert result.exit_code == 0, result.output
    names = sorted(p.stem for p in EXAMPLES.glob("*.json"))
    assert sorted(p.stem for p in answers.glob("*.json")) == names
    for name in names:
        assert json.loads((answers / f"{name}.json").read_text("utf-8")) == example(name)
    assert run("portfolio", "export", str(EXAMPLES), "-o", str(target)).exit_code == 2  # no --force: kept


def test_a_second_run_keeps_the_first_runs_morning_report(tmp_path):
    out = tmp_path / "out"
    source = tmp_path / "twee-partijen.json"
    source.write_text(json.dumps(example("twee-partijen")), "utf-8")
    run("batch", str(source), "--out-dir", str(out))
    first = sorted(out.glob("batch-report-*.xlsx"))
    assert len(first) == 1
    first_bytes = first[0].read_bytes()
    changed = example("twee-partijen")
    changed["alliance"]["name"] = "Samen aan Tafel Zwolle"
    source.write_text(json.dumps(changed), "utf-8")
    result = run("batch", str(source), "--out-dir", str(out))
    runs = sorted(out.glob("batch-report-*.xlsx"))
    assert len(runs) == 2 and runs[0].read_bytes() == first_bytes
    assert openpyxl.load_workbook(runs[0]).active["A2"].value == "Samen aan Tafel"
    assert openpyxl.load_workbook(out / batch.MORNING_REPORT).active["A2"].value == "Samen aan Tafel Zwolle"
    assert f"ochtendrapport: {runs[1]}" in " ".join(result.output.split())
    assert batch.find_inputs([str(out / "*.xlsx")])[0] == []  # a morning report is never taken for input


def test_the_summary_counts_documents_with_warnings_by_kind(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        answers = example("twee-partijen")
        if n:
            answers["insolvency"] = {"model": "automatic"}
        (folder / f"a{n}.json").write_text(json.dumps(answers), "utf-8")
    result = run("batch", str(folder), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "3 documenten, waarvan 2 met waarschuwingen:" in result.output
    assert "2× automatische beëindiging bij insolventie (I1) wordt afgeraden" in result.output


def test_the_workbook_stays_dutch_when_the_command_line_speaks_english(tmp_path):
    book = filled_workbook(tmp_path / "portfolio.xlsx", bad_kvk="123")
    english = tmp_path / "english.xlsx"
    assert run("--lang", "en", "portfolio", "template", "-o", str(english)).exit_code == 0
    assert openpyxl.load_workbook(english).sheetnames == openpyxl.load_workbook(book).sheetnames
    result = run("--lang", "en", "portfolio", "import", str(book), "--out-dir", str(tmp_path / "a"))
    assert result.exit_code == 1
    assert "Partijen, row 6, column" in result.output and "nothing written for fout" in result.output


def test_the_morning_report_has_a_comfort_column_when_the_schema_has_comfort():
    from agreement_engine import morning
    from agreement_engine.library import default_library

    item = batch.BatchItem("a.json", "a", status=batch.RENDERED, output="uit/a.docx", alliance="Alliantie A",
                           choices={"liability": "A3"}, recorded=[
                               {"code": "comfort.unmet_must", "severity": "warning", "path": "$.comfort[0]",
                                "message": "Partij 1 (De Haven): wil niet hoofdelijk aansprakelijk zijn"}])
    header, row = morning.rows([item], default_library(), batch.STATUS_WORDS, comfort=True)
    values = dict(zip(header, row))
    assert values["Comfort niet vervuld"] == "Partij 1 (De Haven): wil niet hoofdelijk aansprakelijk zijn"
    assert values["Onderlinge aansprakelijkheid"] == "Naar buiten hoofdelijk, onderling verdeeld"
    assert values["Waarschuwingen"] == 1 and values["Document"] == "a.docx"
    header, _row = morning.rows([item], default_library(), batch.STATUS_WORDS, comfort=False)
    assert "Comfort niet vervuld" not in header


def test_the_progress_bar_counts_the_alliances_of_a_workbook(tmp_path):
    """A workbook of three alliances is three documents for the progress bar, not one input."""
    book = tmp_path / "portfolio.xlsx"
    portfolio.write_portfolio(book, [(name, example(name)) for name in ("dak-en-thuis", "twee-partijen",
                                                                         "wijkteams-opdracht")])
    single = tmp_path / "los.json"
    single.write_text(json.dumps(example("twee-partijen")), encoding="utf-8")
    broken = tmp_path / "kapot.xlsx"
    broken.write_bytes(b"geen werkmap")
    assert _documents_to_make([book, single, broken]) == 5
