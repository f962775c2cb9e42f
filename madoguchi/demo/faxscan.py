"""A small FAX order sheet as a PDF, the way a scanner at the shop would hand it over.

Written by hand (no PDF library needed): one A4 page with ruled lines and Japanese text in
the PDF standard CJK font HeiseiKakuGo-W5 (UniJIS-UCS2-H), which every PDF viewer maps to
a local Gothic font, so nothing has to be embedded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaxOrderLine:
    product: str
    quantity: int
    price: int


def pdf_text(x: float, y: float, size: float, text: str) -> str:
    """One line of Japanese text at (x, y) as a PDF content operation."""
    encoded = text.encode("utf-16-be").hex().upper()
    return f"BT /F1 {size:g} Tf {x:g} {y:g} Td <{encoded}> Tj ET"


def fax_order_pdf(
    *,
    shop: str,
    shop_fax: str,
    customer: str,
    phone: str,
    postal_code: str,
    address: str,
    lines: list[FaxOrderLine],
    payment: str,
    note: str,
    date: str,
) -> bytes:
    """The PDF bytes of one order sheet."""
    ops = ["0.15 0.15 0.15 rg 0.2 0.2 0.2 RG 0.8 w"]
    ops.append(pdf_text(230, 780, 22, "FAX注文書"))
    ops.append(pdf_text(60, 745, 11, f"{shop} 御中　（FAX {shop_fax}）"))
    ops.append(pdf_text(400, 745, 10, f"送信日 {date}"))
    rows = [
        ("お名前", f"{customer} 様"),
        ("お電話番号", phone),
        ("ご住所", f"〒{postal_code}"),
        ("", address),
        ("お支払い方法", payment),
    ]
    y = 710
    for label, value in rows:
        ops.append(f"60 {y - 6} m 535 {y - 6} l S")
        ops.append(pdf_text(64, y, 10, label))
        ops.append(pdf_text(160, y, 11, value))
        y -= 26
    y -= 10
    ops.append(pdf_text(64, y, 10, "商品名"))
    ops.append(pdf_text(380, y, 10, "数量"))
    ops.append(pdf_text(450, y, 10, "単価"))
    table_top = y + 16
    for line in lines:
        y -= 26
        ops.append(f"60 {y + 18} m 535 {y + 18} l S")
        ops.append(pdf_text(64, y, 11, line.product))
        ops.append(pdf_text(385, y, 11, str(line.quantity)))
        ops.append(pdf_text(450, y, 11, f"{line.price:,}円"))
    y -= 10
    ops.append(f"60 {y} 475 {table_top - y} re S")
    ops.append(pdf_text(64, y - 30, 10, "備考"))
    for i, chunk in enumerate(note[j : j + 38] for j in range(0, len(note), 38)):
        ops.append(pdf_text(110, y - 30 - i * 16, 10, chunk))
    return japanese_pdf_page(ops)


def japanese_pdf_page(ops: list[str]) -> bytes:
    """An A4 page drawing `ops` with the standard CJK font, and a correct xref table."""
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >>"
        b" /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4"
        b" /FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 880 /Descent -120"
        b" /CapHeight 737 /StemV 116 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
