"""GB/T 9704-2012 page layout for python-docx documents: page, grid, fonts, styles, page numbers.

The standard fixes an A4 page with a 156 × 225 mm type area (天头 37 mm, 订口 28 mm), 22 lines
of 28 characters in 3号 (16 pt) 仿宋, page numbers "— 1 —" in 4号 宋体 7 mm below the type
area, odd pages on the right and even pages on the left, each one character in from the edge.

Two python-docx gaps are filled here with XML:
* `font.name` sets only `w:ascii`/`w:hAnsi`; Chinese text uses `w:eastAsia`, and the default
  template's theme fonts (`w:eastAsiaTheme`) would win over an explicit name, so every style and
  every run gets all four attributes and no theme attribute.
* the document grid (`w:docGrid`), "don't snap to grid" (`w:snapToGrid`), character-based
  indents, table borders and margins and the PAGE field have no API.

The 版记 (GB/T 9704 7.4, 10) sits at the foot of the last page, its last rule on the foot of the
type area, in a text box (`foot_box`): DrawingML, positioned at the bottom of the margin box of
the page its anchor paragraph is on, wrapping no text (`wp:wrapNone`). The anchor is the last
paragraph, as tall as the box plus one line, and kept with what precedes it (the date, or the
last row of the last evidence table). Where the text leaves that much room, the box stands at the
foot of that page; where not, the anchor moves to the next page like any paragraph, the kept
lines with it, and the box follows: never a page with the box alone, nothing overlapped.

A floating table (`w:tblpPr`, vertAnchor margin, tblpYSpec bottom) was tried first and rejected:
it pushes aside every line it meets, its own anchor paragraph included, and LibreOffice 7.4
then moves the anchor alone to a new page without honouring "keep with next" (a lone 抄送 box),
or moves the date away from the signature when anchored in the date. Word and WPS also wrap text
around floating tables, so the same would happen there. A known LibreOffice limit remains: a
single table running over three or more pages is not kept with the anchor (evidence tables hold
at most 20 rows, which never do).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run

# Fonts named as GB/T 9704 and procuratorates' Word installations name them.
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

# Sizes: 二号, 三号, 四号, 小四 (points).
SIZE_2 = 22.0
SIZE_3 = 16.0
SIZE_4 = 14.0
SIZE_SMALL_4 = 12.0

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# Page-number line: its centre (the 一字线) 7 mm below the type area.
FOOTER_MM = 25

_MM_TWIPS = 1440 / 25.4


def mm_twips(mm: float) -> int:
    return round(mm * _MM_TWIPS)


def text_width_twips() -> int:
    return mm_twips(PAGE_MM[0]) - mm_twips(MARGINS_MM["left"]) - mm_twips(MARGINS_MM["right"])


def text_height_twips() -> int:
    return mm_twips(PAGE_MM[1]) - mm_twips(MARGINS_MM["top"]) - mm_twips(MARGINS_MM["bottom"])


def line_pitch_twips() -> int:
    """Height of one grid line: the type area's height over 22 lines (≈ 579 twips, 28.95 pt)."""
    return text_height_twips() // LINES_PER_PAGE


def char_space() -> int:
    """`w:charSpace` for 28 characters a line: the pitch's excess over 16 pt, in 1/4096 pt.

    28 × 16 pt = 448 pt is wider than the 156 mm (442 pt) type area, so the grid pitch is a little
    under the font size and the value is negative (Word computes the same from its dialog).
    """
    pitch_pt = text_width_twips() / 20 / CHARS_PER_LINE
    return round((pitch_pt - SIZE_3) * 4096)


def chars_twips(n: float, size_pt: float = SIZE_3) -> int:
    """The width of `n` characters of `size_pt`, in twips (for indents)."""
    return round(n * size_pt * 20)


# -- XML helpers -----------------------------------------------------------------------------

# Children of w:pPr that follow each element we insert (schema order, ECMA-376 CT_PPrBase).
_PPR_AFTER_SNAP = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


_PPR_AFTER_OVERFLOW = (
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    *_PPR_AFTER_SNAP,
)


def set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """Name `font` for Latin, East Asian and complex-script text of a `w:rPr`, no theme fonts."""
    rfonts = rpr.get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), font)
    rfonts.set(qn("w:hint"), "eastAsia")


def set_run(run: Run, font: str, size_pt: float | None = None, bold: bool | None = None) -> Run:
    set_fonts(run._r.get_or_add_rPr(), font)
    if size_pt is not None:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold
    return run


def no_hanging_punctuation(ppr: BaseOxmlElement) -> None:
    el = ppr.find(qn("w:overflowPunct"))
    if el is None:
        el = OxmlElement("w:overflowPunct")
        ppr.insert_element_before(el, *_PPR_AFTER_OVERFLOW)
    el.set(qn("w:val"), "0")


def no_snap_to_grid(ppr: BaseOxmlElement) -> None:
    """Lay the paragraph out by its own line spacing and font, not the 28 × 22 grid.

    Text larger or smaller than 3号 (titles, tables, page numbers) would otherwise take whole grid
    cells: a 22 pt title spread over two 16 pt cells a character.
    """
    el = ppr.find(qn("w:snapToGrid"))
    if el is None:
        el = OxmlElement("w:snapToGrid")
        ppr.insert_element_before(el, *_PPR_AFTER_SNAP)
    el.set(qn("w:val"), "0")


def indent_chars(
    ppr: BaseOxmlElement,
    *,
    first_line: float = 0,
    left: float = 0,
    right: float = 0,
    hanging: float = 0,
    size_pt: float = SIZE_3,
) -> None:
    """Indents in characters: `w:*Chars` (hundredths of a character, used by Word) and the same
    in twips (used by LibreOffice, which ignores the character units)."""
    ind = ppr.get_or_add_ind()  # type: ignore[attr-defined]
    values = {"firstLine": first_line, "left": left, "right": right, "hanging": hanging}
    for name, chars in values.items():
        if chars:
            ind.set(qn(f"w:{name}"), str(chars_twips(chars, size_pt)))
            ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))


# -- document setup --------------------------------------------------------------------------


def setup_page(doc: Document) -> None:
    """A4, GB/T 9704 margins, the 22 × 28 grid, page numbers on odd and even pages."""
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Twips(mm_twips(MARGINS_MM["top"]))
    section.bottom_margin = Twips(mm_twips(MARGINS_MM["bottom"]))
    section.left_margin = Twips(mm_twips(MARGINS_MM["left"]))
    section.right_margin = Twips(mm_twips(MARGINS_MM["right"]))
    section.gutter = Twips(0)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(FOOTER_MM)

    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:  # pragma: no cover - python-docx's default template has one
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch_twips()))
    grid.set(qn("w:charSpace"), str(char_space()))

    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _field_char(paragraph: Paragraph, kind: str) -> None:
    run = set_run(paragraph.add_run(), SONGTI, SIZE_4)
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), kind)
    run._r.append(fld)


def _page_number(paragraph: Paragraph, odd: bool) -> None:
    """ "— 1 —": odd pages right, even pages left, one character in (GB/T 9704 7.5)."""
    paragraph.style = "页码"
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    ppr = paragraph._p.get_or_add_pPr()
    if odd:
        indent_chars(ppr, right=1, size_pt=SIZE_4)
    else:
        indent_chars(ppr, left=1, size_pt=SIZE_4)
    set_run(paragraph.add_run("— "), SONGTI, SIZE_4)
    _field_char(paragraph, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    set_run(paragraph.add_run(), SONGTI, SIZE_4)._r.append(instr)
    _field_char(paragraph, "separate")
    set_run(paragraph.add_run("1"), SONGTI, SIZE_4)
    _field_char(paragraph, "end")
    set_run(paragraph.add_run(" —"), SONGTI, SIZE_4)


def _defaults(doc: Document) -> None:
    """Document defaults: 仿宋 3号, Chinese language, exact grid line spacing, no spacing after,
    punctuation kept inside the type area.

    Punctuation hanging past the right margin (Word's default, `w:overflowPunct`) breaks the
    28-character edge of the type area; without it a comma that cannot start a line takes the
    last character down with it.
    """
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(int(SIZE_3 * 2)))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    no_hanging_punctuation(ppr)
    spacing = ppr.find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(line_pitch_twips()))
    spacing.set(qn("w:lineRule"), "exact")


def _style(
    doc: Document,
    name: str,
    font: str,
    size_pt: float,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    first_line: float = 0,
    line_pt: float | None = None,
    snap: bool = True,
    keep_with_next: bool = False,
) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style.element.get_or_add_rPr(), font)
    style.font.size = Pt(size_pt)
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = Pt(line_pt) if line_pt else Twips(line_pitch_twips())
    pf.widow_control = True  # no first or last line of a paragraph alone on a page
    if align is not None:
        pf.alignment = align
    if keep_with_next:
        pf.keep_with_next = True
    ppr = style.element.get_or_add_pPr()
    if first_line:
        indent_chars(ppr, first_line=first_line, size_pt=size_pt)
    if not snap:
        no_snap_to_grid(ppr)
    return style


def setup_styles(doc: Document) -> None:
    """The paragraph styles of a 检察建议书, named in Chinese so an editor finds them in Word."""
    _defaults(doc)
    normal = doc.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.font.size = Pt(SIZE_3)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    no_hanging_punctuation(normal.element.get_or_add_pPr())

    left, center, right = (
        WD_ALIGN_PARAGRAPH.LEFT,
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.RIGHT,
    )
    _style(doc, "文书标题", XIAOBIAOSONG, SIZE_2, align=center, line_pt=36, snap=False)
    _style(doc, "文号", FANGSONG, SIZE_3, align=right).paragraph_format.space_before = Pt(8)
    _style(doc, "主送", FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "文书正文", FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=2)
    _style(doc, "一级标题", HEITI, SIZE_3, first_line=2, keep_with_next=True)
    _style(doc, "署名", FANGSONG, SIZE_3, align=right)
    _style(doc, "附件标识", HEITI, SIZE_3, align=left)
    _style(doc, "证据表标题", HEITI, SIZE_3, align=left, keep_with_next=True)
    _style(doc, "证据表说明", KAITI, SIZE_4, align=left, snap=False, keep_with_next=True)
    _style(doc, "表格文字", FANGSONG, SIZE_4, align=left, line_pt=SIZE_4 * 1.3, snap=False)
    _style(doc, "抄送", FANGSONG, SIZE_4, align=left, line_pt=SIZE_4 * 1.8, snap=False)
    _style(doc, "页码", SONGTI, SIZE_4, line_pt=SIZE_4 * 1.2, snap=False)
    _style(doc, "版记", FANGSONG, SIZE_4, snap=False)


# -- tables ----------------------------------------------------------------------------------

_TBLPR_SEQ = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)


def _tblpr_child(tbl_pr: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """The `tag` child of a `w:tblPr`, created in schema order if missing."""
    el = tbl_pr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        tbl_pr.insert_element_before(el, *_TBLPR_SEQ[_TBLPR_SEQ.index(tag) + 1 :])
    return el


def table_width(tbl_pr: BaseOxmlElement, twips: int) -> None:
    width = _tblpr_child(tbl_pr, "w:tblW")
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(twips))


def table_cell_margins(tbl_pr: BaseOxmlElement, **sides: int) -> None:
    """Default cell margins in twips, e.g. `table_cell_margins(p, left=80, right=80)`."""
    margins = _tblpr_child(tbl_pr, "w:tblCellMar")
    for el in list(margins):
        margins.remove(el)
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(sides.get(side, 0)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)


def table_rules(tbl_pr: BaseOxmlElement, **sides: float) -> None:
    """Borders of a table: the given sides as single rules `mm` thick, every other side none."""
    table_borders = _tblpr_child(tbl_pr, "w:tblBorders")
    for el in list(table_borders):
        table_borders.remove(el)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        if side in sides:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(round(sides[side] / 25.4 * 72 * 8)))  # eighths of a point
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "auto")
        else:
            el.set(qn("w:val"), "nil")
        table_borders.append(el)


# -- a box at the foot of the type area ------------------------------------------------------

_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
_EMU_PER_TWIP = 635

_FOOT_BOX = f"""<w:drawing xmlns:w="{nsmap["w"]}" xmlns:wp="{nsmap["wp"]}" xmlns:a="{nsmap["a"]}"
    xmlns:wps="{_WPS}">
  <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264"
      behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">
    <wp:simplePos x="0" y="0"/>
    <wp:positionH relativeFrom="margin"><wp:posOffset>0</wp:posOffset></wp:positionH>
    <wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>
    <wp:extent cx="{{cx}}" cy="{{cy}}"/>
    <wp:effectExtent l="0" t="0" r="0" b="0"/>
    <wp:wrapNone/>
    <wp:docPr id="{{id}}" name="{{name}}"/>
    <wp:cNvGraphicFramePr/>
    <a:graphic>
      <a:graphicData uri="{_WPS}">
        <wps:wsp>
          <wps:cNvSpPr txBox="1"/>
          <wps:spPr>
            <a:xfrm><a:off x="0" y="0"/><a:ext cx="{{cx}}" cy="{{cy}}"/></a:xfrm>
            <a:prstGeom prst="rect"><a:avLst/></a:prstGeom>
            <a:noFill/>
            <a:ln><a:noFill/></a:ln>
          </wps:spPr>
          <wps:txbx><w:txbxContent/></wps:txbx>
          <wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0"
              anchor="b" anchorCtr="0"><a:noAutofit/></wps:bodyPr>
        </wps:wsp>
      </a:graphicData>
    </a:graphic>
  </wp:anchor>
</w:drawing>"""


def foot_box(
    anchor: Paragraph,
    content: Sequence[BaseOxmlElement],
    height_twips: int,
    name: str,
    shape_id: int = 1,
) -> None:
    """Put `content` (tables, paragraphs) in a borderless text box as wide as the type area and
    `height_twips` high, its foot on the foot of the type area of the page `anchor` is on.

    The box does not push text aside (`wp:wrapNone`); the caller keeps text from running under it
    by making `anchor` at least as tall as the box. The content sits at the box's foot
    (`anchor="b"`), so a box taller than its content leaves the room above it empty.
    """
    xml = (
        _FOOT_BOX.replace("{cx}", str(text_width_twips() * _EMU_PER_TWIP))
        .replace("{cy}", str(height_twips * _EMU_PER_TWIP))
        .replace("{id}", str(shape_id))
        .replace("{name}", name)
    )
    drawing = parse_xml(xml)
    box = drawing.find(".//" + qn("w:txbxContent"))
    for el in content:
        box.append(el)
    if not len(box) or box[-1].tag != qn("w:p"):
        box.append(_tiny_paragraph())  # a text box ends with a paragraph
    run = anchor.add_run()
    run._r.append(drawing)


def _tiny_paragraph() -> BaseOxmlElement:
    """An empty paragraph one point high (the text box's closing paragraph takes no room)."""
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "20")
    spacing.set(qn("w:lineRule"), "exact")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    rpr.append(size)
    ppr.extend([snap, spacing, rpr])
    p.append(ppr)
    return p


# -- the font table --------------------------------------------------------------------------

# How Word and WPS on a procuratorate's Windows PC find each font the document names: the
# alternative names (w:altName, tried in order when the named font is missing: Windows ships
# 仿宋, 楷体, 宋体 and 黑体, not the GB2312 fonts nor 方正小标宋), and the charset (0x86, GB2312),
# family, pitch and PANOSE numbers Word matches by when no name is found. PANOSE values are those
# of the Windows fonts; 方正小标宋简体's is not published, so Word matches it by charset/family.
_FONT_TABLE: dict[str, dict[str, str]] = {
    FANGSONG: {"altName": "仿宋", "panose1": "02010609030101010101", "family": "modern",
               "pitch": "fixed"},
    KAITI: {"altName": "楷体", "panose1": "02010609030101010101", "family": "modern",
            "pitch": "fixed"},
    XIAOBIAOSONG: {"altName": "华文中宋,宋体", "family": "roman", "pitch": "variable"},
    HEITI: {"panose1": "02010609060101010101", "family": "modern", "pitch": "fixed"},
    SONGTI: {"panose1": "02010600030101010101", "family": "roman", "pitch": "variable"},
}  # fmt: skip
_FONT_CHILDREN = ("altName", "panose1", "charset", "family", "pitch")
FONT_ALTERNATIVES = {
    name: tuple(spec["altName"].split(","))
    for name, spec in _FONT_TABLE.items()
    if "altName" in spec
}


def fonts_used(doc: Document) -> set[str]:
    """Every font named by a `w:rFonts` of the body, the styles, headers and footers."""
    parts = [doc.element, doc.styles.element]
    for section in doc.sections:
        for story in (section.footer, section.even_page_footer, section.header):
            if not story.is_linked_to_previous:
                parts.append(story._element)
    names = set()
    for part in parts:
        for rfonts in part.iter(qn("w:rFonts")):
            for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
                value = rfonts.get(qn(f"w:{attr}"))
                if value:
                    names.add(value)
    return names


def declare_fonts(doc: Document) -> None:
    """Declare each font the document uses in word/fontTable.xml (see `_FONT_TABLE`).

    python-docx's template declares only Latin and Japanese fonts, so Word met 仿宋_GB2312 with
    nothing to go on and fell back to its default font on a PC without it.
    """
    part = doc.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    declared = {f.get(qn("w:name")): f for f in table.findall(qn("w:font"))}
    for name in sorted(fonts_used(doc)):
        spec = _FONT_TABLE.get(name)
        if spec is None:
            if name not in declared:
                font = OxmlElement("w:font")
                font.set(qn("w:name"), name)
                table.append(font)
            continue
        font = declared.get(name)
        if font is None:
            font = OxmlElement("w:font")
            font.set(qn("w:name"), name)
            table.append(font)
        for child in list(font):
            font.remove(child)
        values = {"charset": "86", **spec}
        for tag in _FONT_CHILDREN:
            if tag in values:
                el = OxmlElement(f"w:{tag}")
                el.set(qn("w:val"), values[tag])
                font.append(el)
    part._blob = serialize_part_xml(table)


# -- the last line of a paragraph ------------------------------------------------------------

# Punctuation that may not start a line (行首禁则) and that may not end one (行尾禁则).
NO_LINE_START = set("，。、；：？！）》」』”’〕】〉…—%‰·,.;:?!)]}")
NO_LINE_END = set("（《「『“‘〔【〈([{")
# LibreOffice's previews condense every character by the grid cell's shortfall (preview.py); a
# run's own w:spacing replaces that value, so the adjustment below is added to it.
GRID_CONDENSE = math.floor(char_space() * 20 / 4096)  # twentieths of a point
MAX_ADJUST = 40  # twentieths of a point a character: 2 pt, an eighth of the character
_TOKEN = re.compile(r"[A-Za-z0-9]+|.", re.S)

Measure = Callable[[str], float]
"""The width of a text in full-width characters (`tables.text_width`)."""


def _lines_of(text: str, measure: Measure, first_indent: float, spacing_pt: float) -> list[str]:
    """`text` broken into lines of the type area as a Chinese line breaker does: greedy, words
    of Latin letters and digits whole, no line starting with closing punctuation or ending with
    opening punctuation (the character before moves down with it)."""
    width = text_width_twips() / 20
    lines: list[list[str]] = [[]]
    used = first_indent * SIZE_3
    for token in _TOKEN.findall(text):
        w = measure(token) * SIZE_3 + spacing_pt * len(token)
        if used + w <= width + 0.01 or not lines[-1]:
            lines[-1].append(token)
            used += w
            continue
        carried = [token]
        line = lines[-1]
        while (
            line and len(line) > 1 and (carried[0][0] in NO_LINE_START or line[-1] in NO_LINE_END)
        ):
            carried.insert(0, line.pop())
        lines.append(carried)
        used = sum(measure(t) * SIZE_3 + spacing_pt * len(t) for t in carried)
    return ["".join(line) for line in lines]


def short_last_line(line: str) -> bool:
    """A last line of one character and its punctuation, or punctuation alone ("查。", "。")."""
    return sum(1 for c in line if c not in NO_LINE_START and c not in NO_LINE_END) <= 1


def last_line_adjustment(text: str, measure: Measure, first_indent: float = 2) -> int:
    """Twentieths of a point to add to each character's spacing so that the paragraph's last
    line is not `short_last_line`: 0 when it is not; else the smallest change, tightening (挤进:
    the paragraph sets a line shorter) or loosening (拉出: a character more comes down), up to
    `MAX_ADJUST`; 0 when none helps."""
    base = GRID_CONDENSE / 20
    lines = _lines_of(text, measure, first_indent, base)
    if len(lines) < 2 or not short_last_line(lines[-1]):
        return 0
    for step in range(1, MAX_ADJUST + 1):
        for delta in (-step, step):
            trial = _lines_of(text, measure, first_indent, base + delta / 20)
            if not short_last_line(trial[-1]) and len(trial) <= len(lines):
                return delta
    return 0


def set_character_spacing(run: Run, delta: int) -> None:
    """Condense (delta < 0) or expand a run's characters by `delta` twentieths of a point, on top
    of the grid's own condensing (`GRID_CONDENSE`)."""
    rpr = run._r.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)
    spacing.set(qn("w:val"), str(GRID_CONDENSE + delta))


_RPR_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
    "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip
