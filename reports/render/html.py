"""A report's table as HTML, built in Python: a template loop over a whole school's table (tens of thousands of cells)
costs seconds, the same markup joined here a tenth of that (CONVENTIONS: big grids are template-bound).

The screen gets Bootstrap's classes, a header cell's ``scope`` and a cell's note as its ``title``; the PDF gets the
column's kind as the cell's class (report-pdf.css aligns numbers). Every text is escaped here.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .document import Cell, Table, cell_text


def _cells(values, columns, *, pdf: bool) -> str:
    parts = []
    for value, column in zip(values, columns, strict=False):
        text = escape(cell_text(value, column.kind))
        if pdf:
            parts.append(f'<td class="{column.kind}">{text}</td>')
            continue
        classes = "text-end" if column.kind != "text" else ""
        note = ""
        if isinstance(value, Cell):
            if value.css:
                classes = f"{classes} {escape(value.css)}".strip()
            if value.note:
                note = f' title="{escape(value.note)}"'
        css = f' class="{classes}"' if classes else ""
        parts.append(f"<td{css}{note}>{text}</td>")
    return "".join(parts)


def table_html(table: Table, *, pdf: bool = False) -> SafeString:
    columns = table.columns
    out = []
    if pdf:
        out.append("<table>")
        if table.caption:
            out.append(f"<caption>{escape(table.caption)}</caption>")
    else:
        out.append('<div class="table-responsive mb-3">')
        out.append('<table class="table table-sm table-bordered bg-white report-table align-middle">')
        if table.caption:
            out.append(f'<caption class="caption-top">{escape(table.caption)}</caption>')
    out.append("<thead>")
    if table.has_groups:
        group_cells = []
        for title, span in table.group_row:
            scope = ' scope="colgroup"' if title and not pdf else ""
            centred = "" if pdf else ' class="text-center"'
            group_cells.append(f'<th colspan="{span}"{scope}{centred}>{escape(title)}</th>')
        out.append(f"<tr>{''.join(group_cells)}</tr>")
    head_cells = []
    for column in columns:
        if pdf:
            head_cells.append(f"<th>{escape(column.title)}</th>")
        else:
            end = ' class="text-end"' if column.kind != "text" else ""
            head_cells.append(f'<th scope="col"{end}>{escape(column.title)}</th>')
    heads = "".join(head_cells)
    out.append(f"<tr>{heads}</tr></thead><tbody>")
    for index, row in enumerate(table.rows):
        row_css = table.row_css.get(index, "") if not pdf else ""
        opening = f'<tr class="{escape(row_css)}">' if row_css else "<tr>"
        out.append(f"{opening}{_cells(row, columns, pdf=pdf)}</tr>")
    if not table.rows:
        empty_class = "" if pdf else ' class="text-secondary"'
        out.append(f'<tr><td colspan="{len(columns)}"{empty_class}>{escape(table.empty)}</td></tr>')
    out.append("</tbody>")
    if table.totals:
        bold = "" if pdf else ' class="fw-bold"'
        out.append(f"<tfoot><tr{bold}>{_cells(table.totals, columns, pdf=pdf)}</tr></tfoot>")
    out.append("</table>")
    if not pdf:
        out.append("</div>")
    return mark_safe("".join(out))  # every text above went through escape()
