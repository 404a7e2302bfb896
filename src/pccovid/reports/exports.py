"""A report as CSV, Excel (openpyxl) and PDF (reportlab, with a Unicode font so Vietnamese renders).

All three carry the same header (form, version, source, unit, period, when generated, latest submitted
version) and the same figures: the unit's, then one row or column per direct child.
"""

import csv
import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pccovid.certificates.pdf import unicode_font
from pccovid.core import clock
from pccovid.reports.selectors import Report

CHILD_COLUMNS_PER_PAGE = 8


def _value(value) -> str:
    return "" if value is None else str(value)


def header(report: Report) -> list[tuple[str, str]]:
    latest = report.latest
    submitted = (
        _("version %(v)d, %(at)s, %(by)s")
        % {
            "v": latest.version,
            "at": f"{clock.localdate(latest.submitted_at):%d/%m/%Y}",
            "by": latest.submitted_by.get_full_name() or latest.submitted_by.username,
        }
        if latest
        else _("not submitted")
    )
    return [
        (_("Form"), str(report.form.label)),
        (_("Form version"), report.form.version),
        (_("Source"), report.form.source),
        (_("Unit"), f"{report.unit.name} ({report.unit.code})"),
        (_("Period"), f"{report.start:%d/%m/%Y} - {report.end:%d/%m/%Y}"),
        (_("Generated"), f"{clock.localdate(report.generated_at):%d/%m/%Y}"),
        (_("Submitted"), submitted),
    ]


def filename(report: Report, extension: str) -> str:
    return f"{report.form.key}-{report.unit.code}-{report.start:%Y%m%d}.{extension}"


def report_csv(report: Report) -> bytes:
    """The header lines, then one line per field: section, key, label, the unit's figure, each child's."""
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in header(report):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(
        [_("Section"), _("Field"), _("Label"), report.unit.code, *(r.code for r in report.children)]
    )
    for _key, title, fields in report.form.sections:
        for f in fields:
            row = [title, f.key, f.label, _value(report.figures[f.key])]
            writer.writerow([*map(str, row), *(_value(r.figures[f.key]) for r in report.children)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read Vietnamese letters


def report_xlsx(report: Report) -> bytes:
    """Sheet "Report": the header and the unit's figures by section; sheet "By unit": one row per child;
    sheet "Level changes" when there are any."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    for label, value in header(report):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    sheet.append([_("Section"), _("Field"), _("Label"), _("Figure")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for _key, title, fields in report.form.sections:
        for f in fields:
            sheet.append([str(title), f.key, str(f.label), report.figures[f.key]])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["C"].width = 48
    breakdown = book.create_sheet(_("By unit")[:31])
    breakdown.append([_("Code"), _("Unit"), *(str(f.label) for f in report.form.fields)])
    breakdown.append(["", "", *(f.key for f in report.form.fields)])
    for row in report.children:
        breakdown.append([row.code, row.name, *(row.figures[f.key] for f in report.form.fields)])
    breakdown.append(["", _("Total"), *(report.figures[f.key] for f in report.form.fields)])
    if report.level_changes:
        levels = book.create_sheet(_("Level changes")[:31])
        levels.append([_("Code"), _("Unit"), _("Day"), _("From level"), _("To level")])
        for c in report.level_changes:
            levels.append([c.unit_code, c.unit_name, c.on, c.old_level, c.new_level])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(rows: list[list], font: str, widths=None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def report_pdf(report: Report) -> bytes:
    """Landscape A4: the header, the figures by section with the unit and its first children as columns,
    then the other children, CHILD_COLUMNS_PER_PAGE at a time."""
    font = unicode_font()
    styles = getSampleStyleSheet()
    title, small = styles["Title"], styles["BodyText"]
    title.fontName = small.fontName = font
    small.fontSize = 8
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=str(report.form.label),
    )
    story = [Paragraph(escape(f"{report.form.label}: {report.unit.name}"), title)]
    story += [Paragraph(f"<b>{escape(label)}</b>: {escape(value)}", small) for label, value in header(report)]
    children = report.children
    chunks = [
        children[i : i + CHILD_COLUMNS_PER_PAGE] for i in range(0, len(children), CHILD_COLUMNS_PER_PAGE)
    ]
    for number, chunk in enumerate(chunks or [[]]):
        story.append(Spacer(1, 4 * mm) if number == 0 else PageBreak())
        rows = [[_("Section"), _("Field"), str(report.unit.code), *(r.name[:18] for r in chunk)]]
        for _key, section_title, fields in report.form.sections:
            for f in fields:
                rows.append(
                    [
                        str(section_title)[:30],
                        str(f.label)[:48],
                        _value(report.figures[f.key]),
                        *(_value(r.figures[f.key]) for r in chunk),
                    ]
                )
        story.append(_table(rows, font))
    if report.level_changes:
        rows = [[_("Unit"), _("Day"), _("From level"), _("To level")]]
        rows += [[c.unit_name, f"{c.on:%d/%m/%Y}", c.old_level, c.new_level] for c in report.level_changes]
        story += [Spacer(1, 4 * mm), Paragraph(_("Level changes"), small), _table(rows, font)]
    doc.build(story)
    return out.getvalue()
