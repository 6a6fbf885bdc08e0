"""C comments, Markdown paragraphs and C type names from spec text and types."""

import textwrap

from .layout import wire_name


def comment(text, indent="", width=78):
    """A C block comment holding text, paragraphs kept."""
    if not text:
        return ""
    lines = []
    for para in text.split("\n\n"):
        flat = " ".join(para.split())
        lines.extend(textwrap.wrap(flat, width - len(indent) - 3) or [""])
        lines.append("")
    lines.pop()
    if len(lines) == 1 and len(lines[0]) + len(indent) + 6 <= width:
        return f"{indent}/* {lines[0]} */"
    body = "\n".join(f"{indent} *{(' ' + l) if l else ''}" for l in lines)
    return f"{indent}/*\n{body}\n{indent} */"


def paragraph(text):
    """Doc text as Markdown paragraphs."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n")) if text else ""


def c_type(t):
    """The C type the wire declares t with: a kernel struct's twin when it has one (layout.wire_name)."""
    return f"struct {wire_name(t)}" if t.kind == "struct" else t.c_type


def c_value(value, enum):
    """An enum entry's value as C: a single bit of a flag set as (1 << n), as upstream writes them."""
    if enum.kind == "flags" and value and value & (value - 1) == 0:
        return f"(1 << {value.bit_length() - 1})"
    return str(value)


def entry_decl(decl, doc, indent="", width=78):
    """A declaration with its doc: on the same line when both fit, else the comment above."""
    line = f"{decl}  /* {' '.join(doc.split())} */"
    if len(line) <= width or not doc:
        return line if doc else decl
    return comment(doc, indent, width) + "\n" + decl


def comment_lines(text, width=78):
    """Lines " * ..." of text wrapped for the inside of a block comment."""
    out = []
    for para in text.split("\n\n"):
        if out:
            out.append(" *")
        out += [f" * {line}" for line in textwrap.wrap(" ".join(para.split()), width - 3)]
    return "\n".join(out)


def md_cell(text):
    """Text safe inside a Markdown table cell: pipes escaped, one line."""
    return " ".join(str(text).split()).replace("|", "\\|")
