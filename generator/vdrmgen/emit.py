"""Renders a linted protocol model through the jinja2 templates.

The modules it draws on answer the questions templates ask (cdecl: C
declarations and asserts; bodies: codec questions; docs: documentation
questions; reflect: descriptors), so that the templates only lay out text.
The environment is built once: compiling the templates is most of the cost
of a run.
"""

import functools
import os

import jinja2

from . import cdecl, cexpr, docs, reflect
from .bodies import bodies, check_conditions, fd_condition, framing_doc
from .layout import ABIS, UPSTREAM, size_without
from .text import c_type, c_value, comment, comment_lines, entry_decl, md_cell, paragraph

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(os.path.dirname(HERE), "templates")

CONTEXT_OUTPUTS = (
    ("include/{file}", "wire_header.h.j2"),
    ("include/{name}_uapi.h", "uapi.h.j2"),
    ("include/{name}_codec.h", "codec.h.j2"),
    ("src/{name}_codec.c", "codec.c.j2"),
    ("src/{name}_reflect.c", "reflect.c.j2"),
    ("doc/{name}.md", "protocol.md.j2"),
)
TRANSPORT_OUTPUTS = (
    ("include/{file}", "wire_header.h.j2"),
    ("doc/{name}.md", "transport.md.j2"),
)


def distinct(items):
    """items without repeats, in order (model objects are not hashable)."""
    out = []
    for x in items:
        if all(x is not y for y in out):
            out.append(x)
    return out


@functools.lru_cache(maxsize=None)
def env():
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                           trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                           auto_reload=False)
    e.filters.update(comment=comment, comment_lines=comment_lines, paragraph=paragraph, c_type=c_type,
                     md=md_cell, c_value=c_value)
    e.globals.update(
        ABIS=ABIS, upstream=UPSTREAM, distinct=distinct, describe=cexpr.describe, size_without=size_without, entry_decl=entry_decl,
        cexpr_render=lambda ex, prefix: cexpr.render(ex, prefix),
        render_record=lambda ex: cexpr.render(ex, "r.", record_prefix="r."),
        record_checks=lambda r: [c for c in (check_conditions(k, r.type, "r.") for k in r.checks) if c],
        chunk_checks=lambda c: [x for x in (check_conditions(k, c.type, "r.") for k in c.checks) if x],
        framing_doc=framing_doc, fd_condition=fd_condition,
        item_kind=reflect.item_kind, scalar_kind=reflect.scalar_kind, reflect_structs=reflect.reflect_structs,
        framing_text=docs.framing_text, length_rule=docs.length_rule,
        length_check_text=docs.length_check_text, exact_text=docs.exact_text,
        item_content=docs.item_content, check_text=docs.check_text, ret_fields=docs.ret_fields,
        doc_rows=docs.doc_rows, struct_defects=docs.struct_defects,
        **{name: getattr(cdecl, name) for name in (
            "c_decl", "field_block", "embeds_uapi", "has_padding_defect", "uses_align4",
            "asserted_structs", "struct_condition", "offset_asserts", "conditions", "tail_comment",
            "cast_lines", "lp64_align", "twins", "declares_lp64_align", "assert_abi")})
    return e


def _render(outputs, protocol, ctx):
    names = dict(file=protocol.file, name=protocol.name)
    return {path.format(**names): env().get_template(t).render(**ctx) for path, t in outputs}


def render_all(protocol, spec_name, generator_version):
    """{relative output path: text} for one protocol."""
    ctx = dict(p=protocol, spec=spec_name, bodies=bodies(protocol), version=generator_version,
               base=protocol.base)
    return _render(CONTEXT_OUTPUTS if protocol.base else TRANSPORT_OUTPUTS, protocol, ctx)


def render_contexts(protocols, generator_version):
    """The registry of every context, for tools."""
    ctx = dict(protocols=protocols, version=generator_version)
    return {"include/vdrm_contexts.h": env().get_template("contexts.h.j2").render(**ctx),
            "src/vdrm_contexts.c": env().get_template("contexts.c.j2").render(**ctx)}
