"""Every fatal error of the generator with its exact text, file:line: message.

The schema validator (relaxng.py) prefixes its complaints with "schema: ";
the XML reader (xmltree.py) and the model (model.py) do not. Bodies are
built with lines(): the comment after a row is its line in t.xml.
"""

import ast
import contextlib
import io
import os
import shutil
import tempfile
import unittest

from helpers import (GENERATOR, MESSAGES, SPEC_DIR, custom_schema_error, lines, oracles, report_sites, spec,
                     spec_error, uncovered)
from vdrmgen import cli

D = "<doc>d</doc>"
MODULES = ("relaxng.py", "xmltree.py", "model.py")
RNG = '<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n<start>\n{}\n</start>\n</grammar>\n'


def F(name, t, extra=""):
    return f'<field name="{name}" type="{t}"{extra}>{D}</field>'


def struct(*rows):
    """A struct s opened on line 4, its rows from line 5."""
    return lines(f'<struct name="s" origin="wire">{D}', *rows, '</struct>')


def tail_message(*rows):
    """Message A opened on line 4, its request's tail rows from line 5."""
    return lines(f'<message name="A" opcode="1" response="none">{D}<request><tail name="p" type="u8">', *rows,
                 '</tail></request></message>')


class SchemaTest(unittest.TestCase):
    def assertError(self, body, expected):
        self.assertEqual(spec_error(body), expected)

    def test_valid_spec(self):
        self.assertEqual(spec_error(struct(F("a", "u32"))), None)

    # -- attribute values --------------------------------------------------
    def test_value_not_in_choice(self):
        self.assertError(lines(f'<struct name="s" origin="wire" align="3">{D}', F("a", "u32"), '</struct>'),
                         't.xml:4: schema: <struct> attribute align="3" is not allowed here')

    def test_value_not_matching_pattern(self):
        self.assertError(struct(F("a", "u32", ' count="x"')),
                         't.xml:5: schema: <field> attribute count="x" is not allowed here')

    def test_bad_c_name(self):
        self.assertError(lines(f'<struct name="s-1" origin="wire">{D}', F("a", "u32"), '</struct>'),
                         't.xml:4: schema: <struct> attribute name="s-1" is not allowed here')

    def test_bad_boolean(self):
        self.assertError(struct(F("a", "u32", ' padding="yes"')),
                         't.xml:5: schema: <field> attribute padding="yes" is not allowed here')

    def test_bad_positive_integer(self):
        self.assertError(struct(F("a", "u32", ' since="0"')),
                         't.xml:5: schema: <field> attribute since="0" is not allowed here')

    def test_unknown_defect(self):
        self.assertError(struct(F("a", "u32", ' lint-exempt="no-such-rule"')),
                         't.xml:5: schema: <field> attribute lint-exempt="no-such-rule" is not allowed here')

    # -- attributes ----------------------------------------------------------
    def test_missing_attribute(self):
        self.assertError(struct(f'<field name="a">{D}</field>'),
                         "t.xml:5: schema: <field> lacks the required attribute type")

    def test_missing_expression_attribute(self):
        self.assertError(tail_message(f'<bytes name="d" content="data">{D}<length unit="bytes">',  # 5
                                      '<fieldref/></length></bytes>'),                           # 6
                         "t.xml:6: schema: <fieldref> lacks the required attribute name")

    def test_unknown_attribute(self):
        self.assertError(lines(
            '<struct name="s" origin="wire">',     # 4
            '<doc colour="red">d</doc>',           # 5
            F("a", "u32"), '</struct>'),
            "t.xml:5: schema: <doc> has an unknown or misplaced attribute colour")

    # -- elements ------------------------------------------------------------
    def test_unknown_element(self):
        self.assertError(struct('<feild name="a" type="u32"/>'),
                         "t.xml:5: schema: <feild> is not allowed here in <struct> (expected <field>)")

    def test_element_out_of_order(self):
        self.assertError(lines('<struct name="s" origin="wire">', F("a", "u32"), D, '</struct>'),
                         "t.xml:5: schema: <field> is not allowed here in <struct> (expected <doc>)")

    def test_missing_child(self):
        self.assertError(lines(
            MESSAGES,                                                         # 4
            f'<message name="A" opcode="1" response="none">{D}</message>',   # 5
            '</messages>'),
            "t.xml:5: schema: <message> lacks a required <request>")

    def test_protocol_without_doc(self):
        self.assertEqual(spec_error(data='<?xml version="1.0"?>\n<protocol name="t" file="f" include-guard="G"/>'),
                         "t.xml:2: schema: <protocol> lacks a required <doc>")

    def test_child_after_the_content(self):
        self.assertError(tail_message(f'<bytes name="d" content="data">{D}<length unit="bytes"><rest/>',  # 5
                                      '<rest/></length></bytes>'),                                        # 6
                         "t.xml:6: schema: <rest> is not allowed here in <length>")

    def test_shared_response_with_fields(self):
        self.assertError(lines(
            f'<struct name="s" origin="wire">{D}' + F("a", "u32") + '</struct>',  # 4
            f'<message name="A" opcode="1" response="sync">{D}<request/>',       # 5
            '<response type="s">',                                               # 6
            F("b", "u32"),                                                       # 7
            '</response></message>'),
            "t.xml:7: schema: <field> is not allowed here in <response>")

    def test_text_not_allowed(self):
        self.assertError(struct(f'<field name="a" type="u32">{D}oops</field>'),
                         "t.xml:5: schema: <field> may not contain text")

    def test_root_element(self):
        self.assertEqual(spec_error(data='<?xml version="1.0"?>\n<protocl name="t"/>\n'),
                         "t.xml:2: root element must be <protocol>, not <protocl>")

    # -- XML syntax ------------------------------------------------------------
    def test_mismatched_tag(self):
        self.assertError(struct('<field>'), "t.xml:6: malformed XML: mismatched tag")

    def test_empty_file(self):
        self.assertEqual(spec_error(data=""), "t.xml:1: malformed XML: no element found")

    def test_junk_after_root(self):
        # struct() ends on line 6, </protocol> is line 7.
        self.assertEqual(spec_error(data=spec(struct(F("a", "u32"))).decode() + "<protocol/>\n"),
                         "t.xml:8: malformed XML: junk after document element")

    # -- the model ---------------------------------------------------------------
    def test_unknown_field_type(self):
        self.assertError(struct(F("a", "u33")), "t.xml:5: unknown type 'u33'")

    def test_unknown_sizeof_type(self):
        self.assertError(tail_message(f'<bytes name="d" content="data">{D}<length unit="bytes">',  # 5
                                      '<sizeof type="nope"/></length></bytes>'),                  # 6
                         "t.xml:6: unknown type 'nope'")

    def test_unknown_array_type(self):
        self.assertError(tail_message(f'<array name="d" type="nope">{D}<count><const value="1"/></count></array>'),
                         "t.xml:5: unknown type 'nope'")

    def test_unknown_chunk_type(self):
        self.assertError(tail_message(
            f'<array name="t" type="u32">{D}<count><const value="1"/></count></array>',              # 5
            '<chunks name="c" table="t" id-field="a" offset-field="b" length-field="c" length-unit="bytes">'
            f'{D}<length unit="bytes"><rest/></length>',                                            # 6
            f'<chunk name="K" id="1" type="nope" size="any">{D}</chunk></chunks>'),                  # 7
            "t.xml:7: unknown type 'nope'")

    def test_unknown_records_header(self):
        self.assertError(tail_message(
            f'<records name="r" header="nope">{D}<length unit="bytes"><rest/></length>',   # 5
            f'<record name="R" type="u32">{D}</record></records>'),                        # 6
            "t.xml:5: unknown type 'nope'")

    def test_unknown_record_type(self):
        self.assertError(lines(
            f'<struct name="h" origin="wire">{D}' + F("tag", "u32") + '</struct>',                     # 4
            f'<message name="A" opcode="1" response="none">{D}<request><tail name="p" type="u8">',     # 5
            f'<records name="r" header="h">{D}<length unit="bytes"><rest/></length>',                  # 6
            f'<record name="R" type="nope">{D}</record></records>',                                    # 7
            '</tail></request></message>'),
            "t.xml:7: unknown type 'nope'")

    def test_unknown_response_type(self):
        self.assertError(lines(
            f'<message name="A" opcode="1" response="sync">{D}<request/>',  # 4
            '<response type="nope"/></message>'),                          # 5
            "t.xml:5: unknown type 'nope'")

    def test_unknown_enum(self):
        self.assertError(struct(F("a", "u32", ' enum="nope"')), "t.xml:5: unknown enum 'nope'")

    def test_limit_names_no_define(self):
        self.assertError(lines(
            f'<message name="A" opcode="1" response="none">{D}<request>' + F("n", "u32"),  # 4
            f'<check field="n" max="NOPE">{D}</check></request></message>'),              # 5
            't.xml:5: max="NOPE" names no <define>')

    def test_limit_define_not_a_number(self):
        self.assertError(lines(
            f'<define name="L" value="(1 &lt;&lt; 2)">{D}</define>',                      # 4
            f'<message name="A" opcode="1" response="none">{D}<request>' + F("n", "u32"),  # 5
            f'<check field="n" max="L">{D}</check></request></message>'),                 # 6
            't.xml:6: max="L": the define\'s value (1 << 2) is not a number')

    def test_scalar_response_type(self):
        self.assertError(lines(
            f'<message name="A" opcode="1" response="sync">{D}<request/>',  # 4
            '<response type="u32"/></message>'),                           # 5
            "t.xml:5: response type 'u32' is not a struct")


    # -- framing (<messages> naming its own header) --------------------------
    FRAMED = ('<messages enum="t_cmd" prefix="T_" struct-prefix="t_" req-header="{hdr}"{attrs}>'
              f'<message name="A" opcode="1" response="sync">{D}<request/>')

    def framed(self, hdr="h", attrs="", response="<response/>", fields=F("length", "u32") + F("cmd", "u32")):
        """Struct h on line 4, <messages> and message A on line 5, its response on line 6."""
        return lines(f'<struct name="h" origin="wire">{D}' + fields + '</struct>',       # 4
                     self.FRAMED.format(hdr=hdr, attrs=attrs),                          # 5
                     response + '</message></messages>')                                # 6

    def test_framed_protocol_loads(self):
        self.assertError(self.framed(attrs=' rsp-header="h" length-field="length" length-unit="dwords" '
                                           'length-counts-header="false"'), None)

    def test_header_not_a_struct(self):
        self.assertError(self.framed(hdr="u32"), "t.xml:5: header 'u32' is not a struct")

    def test_length_field_not_u32(self):
        self.assertError(self.framed(attrs=' length-field="length"', fields=F("length", "u16") + F("cmd", "u16")),
                         't.xml:5: length-field="length" is not a u32 field of struct h')

    def test_cmd_field_unknown(self):
        self.assertError(self.framed(attrs=' length-field="length" cmd-field="op"'),
                         't.xml:5: cmd-field="op" is not a u32 field of struct h')

    def test_header_without_length(self):
        self.assertError(self.framed(), "t.xml:5: struct h has no field len; name its length with length-field")

    def test_response_cmd_without_command_id(self):
        # h2, the responses' header, has a length but no command id.
        self.assertError(self.framed(attrs=' rsp-header="h2" length-field="length"', response='<response cmd="A"/>',
                                     fields=F("length", "u32") + F("cmd", "u32") +
                                     f'</struct><struct name="h2" origin="wire">{D}' + F("length", "u32")),
                         't.xml:6: cmd="A": struct h2 has no command id')

    def test_response_cmd_names_no_message(self):
        self.assertError(self.framed(attrs=' rsp-header="h" length-field="length"', response='<response cmd="B"/>'),
                         't.xml:6: cmd="B" names no message')


class CustomSchemaTest(unittest.TestCase):
    """Errors the project's schema cannot produce, from small schemas of their own."""

    def test_unsupported_pattern(self):
        rng = RNG.format('<element name="a"><interleave><empty/></interleave></element>')  # line 3
        self.assertEqual(custom_schema_error(rng, "<a/>"), "s.rng:3: unsupported RelaxNG pattern <interleave>")

    def test_malformed_schema(self):
        self.assertEqual(custom_schema_error('<grammar>\n<start>\n</grammr>\n', "<a/>"),
                         "s.rng:3: malformed XML: mismatched tag")

    def test_no_failure_to_report(self):
        # The validator's <oneOrMore> needs a repetition that consumes something;
        # over <empty/> it matches nothing, and no single failure explains why.
        rng = RNG.format('<element name="a"><oneOrMore><empty/></oneOrMore></element>')
        self.assertEqual(custom_schema_error(rng, "<a/>"), "t.xml:1: schema: <a> does not match the schema")


class CliTest(unittest.TestCase):
    def test_cli_prints_the_error(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("vdrm.xml", "vdrm-protocol.rng"):
                shutil.copy(os.path.join(SPEC_DIR, name), d)
            with open(os.path.join(d, "t.xml"), "wb") as f:
                f.write(spec(struct(F("a", "u33"))))
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = cli.main(["--spec-dir", d, "--lint", "t.xml"])
            self.assertEqual((rc, err.getvalue().replace(d + os.sep, "")), (1, "t.xml:5: unknown type 'u33'\n"))


class TieBreakTest(unittest.TestCase):
    """Several failures on one line: the validator names the one that matched
    most of the node (relaxng.Schema._best_failure), not the parent's
    complaint about the first alternative it tried, an optional child left
    out, or an attribute value another alternative accepted."""

    def test_unknown_attribute_on_field(self):
        self.assertEqual(spec_error(struct(F("a", "u32", ' colour="red"'))),
                         "t.xml:5: schema: <field> has an unknown or misplaced attribute colour")

    def test_unknown_attribute_before_members(self):
        # The members after it fail other alternatives further on; the attribute is what is wrong.
        self.assertEqual(spec_error(lines(f'<struct name="s" origin="wire" colour="red">{D}', F("a", "u32"),
                                          F("b", "u32"), '</struct>')),
                         "t.xml:4: schema: <struct> has an unknown or misplaced attribute colour")

    def test_struct_without_members(self):
        self.assertEqual(spec_error(lines(f'<struct name="s" origin="wire">{D}', '</struct>')),
                         "t.xml:4: schema: <struct> lacks a required <field>")

    def test_uapi_struct_without_header(self):
        self.assertEqual(spec_error(lines(f'<struct name="s" origin="uapi" guard="G">{D}', F("a", "u32"), '</struct>')),
                         "t.xml:4: schema: <struct> lacks the required attribute header")

    def test_unknown_response_header_type(self):
        self.assertEqual(spec_error(lines(
            '<messages enum="t_ccmd" prefix="T_CCMD_" struct-prefix="t_ccmd_" rsp-header="nope">',  # 4
            f'<message name="A" opcode="1" response="sync">{D}<request/>',                           # 5
            '<response/></message></messages>')),                                                   # 6
            "t.xml:4: unknown type 'nope'")


class CoverageTest(unittest.TestCase):
    """Every error site of relaxng.py, xmltree.py and model.py has an exact-message test here."""

    SITES = report_sites(*MODULES)

    def test_every_error_has_an_exact_message_test(self):
        self.assertEqual(uncovered(self.SITES, oracles(__file__)), [])

    def test_scanner_sees_every_raise_and_failure(self):
        known = {(s.module, s.line) for s in self.SITES}
        for name in MODULES:
            with open(os.path.join(GENERATOR, "vdrmgen", name), encoding="utf-8") as f:
                source = f.read()
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Raise) and node.exc is not None:
                    self.assertIn((name, node.exc.lineno), known, f"{name}:{node.lineno}: a raise the scan missed")
            self.assertEqual(len([s for s in self.SITES if s.module == name and s.callee == "_fail"]),
                             source.count("self._fail("), name)


if __name__ == "__main__":
    unittest.main()
