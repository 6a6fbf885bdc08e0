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

from . import cdecl, cexpr, docs, mutate, reflect
from .bodies import bodies, check_conditions, fd_condition, framing_doc, struct_checks
from .layout import ABIS, UPSTREAM, size_without
from .model import field_at
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
    ("include/{name}_mutator.h", "mutator.h.j2"),
    ("src/{name}_mutator.c", "mutator.c.j2"),
    ("fuzz/{name}.dict", "dict.j2"),
)
TRANSPORT_OUTPUTS = (
    ("include/{file}", "wire_header.h.j2"),
    ("doc/{name}.md", "transport.md.j2"),
)


def tag_enum(item):
    """The enum of a record chain's tag field, which the record kind already settles."""
    if item.tag is None:
        return None
    f, _ = field_at(item.header, item.tag)
    return f.enum if f is not None else None


def distinct(items):
    """items without repeats, in order (model objects are not hashable)."""
    out = []
    for x in items:
        if all(x is not y for y in out):
            out.append(x)
    return out


def bytecode_cache():
    """Compiled templates kept between runs (keyed by each template's text),
    in the user's cache directory; none when it cannot be written."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(root, "vdrm-gen", jinja2.__version__)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(path) if os.access(path, os.W_OK) else None


@functools.lru_cache(maxsize=None)
def env():
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                           trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                           auto_reload=False, bytecode_cache=bytecode_cache())
    e.filters.update(comment=comment, comment_lines=comment_lines, paragraph=paragraph, c_type=c_type,
                     md=md_cell, c_value=c_value)
    e.globals.update(
        ABIS=ABIS, upstream=UPSTREAM, distinct=distinct, describe=cexpr.describe, size_without=size_without, entry_decl=entry_decl,
        cexpr_render=lambda ex, prefix: cexpr.render(ex, prefix),
        render_record=lambda ex: cexpr.render(ex, "r.", record_prefix="r."),
        record_checks=lambda r, item: struct_checks(r.type, r.checks, "r.", tag_enum(item)),
        chunk_checks=lambda c: [x for x in (check_conditions(k, c.type, "r.") for k in c.checks) if x],
        framing_doc=framing_doc, fd_condition=fd_condition,
        field_roles=mutate.field_roles, element_items=mutate.element_items, record_chains=mutate.record_chains, chunk_regions=mutate.chunk_regions, rest_item=mutate.rest_item, rest_unit=mutate.rest_unit,
        dict_entries=mutate.dict_entries, dict_line=mutate.dict_line, c_values=mutate.c_values,
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
