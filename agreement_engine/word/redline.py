"""The redline: one agreement shown against another as Word tracked changes, after a page of what differs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agreement_engine.compare import AnswerChange, Change, PartChange, article_changes, part_changes
from agreement_engine.formatting import formatter
from agreement_engine.model import Agreement
from agreement_engine.phrases import Phrases
from agreement_engine.word import styles as st
from agreement_engine.word.body import Layout, Revision, build_redline_body
from agreement_engine.word.ooxml import Node, el, paragraph, run, to_xml
from agreement_engine.word.tables import HEADER_FILL, row, table
from agreement_engine.word.template import context, load_template

AUTHOR = "agreement-engine"


def render_redline(old: Agreement, new: Agreement, answers: Sequence[AnswerChange], *, names: tuple[str, str],
                   date: str, template: str | Path | None = None, provenance: Mapping[str, Any]) -> bytes:
    """Return the .docx bytes of ``new`` with what changed since ``old`` as tracked changes.

    ``answers`` are the answers that differ, listed on the first page with the articles that change;
    ``names`` name the old and new answer set there; ``date`` (YYYY-MM-DD) dates every tracked change, so
    identical input gives identical bytes. The cover, header and footer are the new agreement's.
    """
    house = load_template(template)
    revision = Revision(AUTHOR, f"{date}T00:00:00Z")
    front = _first_page(old, new, answers, names, date, house.layout)
    body = build_redline_body(old, new, house.layout, revision)
    return house.document(context(new), body, front=to_xml(front), title=new.title, subject=new.alliance_name,
                          phrases=new.phrases, provenance=provenance)


def _first_page(old: Agreement, new: Agreement, answers: Sequence[AnswerChange], names: tuple[str, str],
                date: str, layout: Layout) -> list[Node]:
    """Return the page before the cover: what this document is, the answers and the articles that differ."""
    old_name, new_name = names
    phrase = new.phrases.text
    intro = phrase("redline.intro", new=new_name, old=old_name, author=AUTHOR,
                   date=formatter(new.phrases.language).date(date))
    out = [paragraph(st.HEADING, [run(phrase("redline.title"))], numPr=(0, 0)),
           paragraph(st.TEXT, [run(intro)]),
           paragraph(st.TEXT, [run(phrase("redline.not_part", new=new_name), bold=True)]),
           paragraph(st.SUBHEADING, [run(phrase("redline.answers"))])]
    if answers:
        out.append(_answers_table(answers, layout.text_width, new.phrases))
    else:
        out.append(paragraph(st.TEXT, [run(phrase("redline.no_answers"))]))
    out.append(paragraph(st.SUBHEADING, [run(phrase("redline.articles"))]))
    articles = article_changes(old, new)
    for article in articles:
        if article.references_only:
            what = phrase("redline.references_only")
        elif article.change is Change.SAME:
            what = (phrase("redline.changed") if article.old_variant == article.new_variant
                    else phrase("redline.variant_changed", old=article.old_variant, new=article.new_variant))
        else:
            what = phrase("redline.inserted" if article.change is Change.INSERTED else "redline.deleted")
        out.append(paragraph(st.BULLET, [run(phrase("redline.article", number=article.number, title=article.title,
                                                    change=what))],
                             numPr=(layout.lists.bullets, 0)))
    if not articles:
        out.append(paragraph(st.TEXT, [run(phrase("redline.no_articles"))]))
    out.append(paragraph(st.SUBHEADING, [run(phrase("redline.parts"))]))
    parts = part_changes(old, new)
    for part in parts:
        out.append(paragraph(st.BULLET, [run(_part_line(part, new.phrases))], numPr=(layout.lists.bullets, 0)))
    if not parts:
        out.append(paragraph(st.TEXT, [run(phrase("redline.no_parts"))]))
    # the break ends the last line of the summary: a paragraph of its own would spill onto a blank page when
    # the summary fills the page
    out[-1].append(el("w:r", [el("w:br", type="page")]))
    return out


def _part_line(part: PartChange, phrases: Phrases) -> str:
    """Return the summary line of a part: "Ondertekening: gewijzigd (“zesvoud” wordt “vijfvoud”; ...)"."""
    phrase = phrases.text
    name = (phrase("redline.part_annex", number=part.number, title=part.title) if part.part == "annex"
            else phrase(f"redline.part_{part.part}"))
    if part.change is not Change.SAME:
        return phrase("redline.part", part=name,
                      change=phrase("redline.inserted" if part.change is Change.INSERTED else "redline.deleted"))
    details = [phrase("redline.party_gone", name=n) for n in part.removed]
    details += [phrase("redline.party_new", name=n) for n in part.added]
    details += [phrase("redline.word_change", old=a, new=b) if a and b else
                phrase("redline.word_deleted", old=a) if a else phrase("redline.word_inserted", new=b)
                for a, b in part.words]
    change = phrase("redline.changed")
    if details:
        change = phrase("redline.details", change=change, details="; ".join(dict.fromkeys(details)))
    return phrase("redline.part", part=name, change=change)


def _answers_table(answers: Sequence[AnswerChange], width: int, phrases: Phrases) -> Node:
    """Return the table of answers that differ: the answer (title above its JSON path), what it was, what it is."""
    widths = [width * 36 // 100, width * 32 // 100]
    widths.append(width - sum(widths))

    def cell(lines: Sequence[str], w: int, shade: bool = False):
        return [paragraph(st.TABLE_TEXT, [run(line, bold=shade)]) for line in lines], w, HEADER_FILL if shade else None

    columns = (phrases.text("redline.answer"), phrases.text("redline.was"), phrases.text("redline.becomes"))
    rows = [row([cell([text], w, shade=True) for text, w in zip(columns, widths)], header=True)]
    rows += [row([cell([a.title, a.path], widths[0]), cell([a.old], widths[1]), cell([a.new], widths[2])])
             for a in answers]
    return table(widths, rows, borders=True)
