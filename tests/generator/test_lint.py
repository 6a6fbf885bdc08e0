"""Every lint rule, with the exact line the CLI prints: file:line: level: [rule] message.

Bodies are built with lines(): the comment after a row is its line in t.xml.
"""

import contextlib
import io
import os
import re
import shutil
import tempfile
import unittest

from helpers import SCHEMA, SPEC_DIR, diagnostics, lines, load, oracles, report_sites, spec, uncovered
from vdrmgen import cli, lint

D = "<doc>d</doc>"


def F(name, t, extra=""):
    return f'<field name="{name}" type="{t}"{extra}>{D}</field>'


def bytes_item(name, length):
    return (f'<bytes name="{name}" content="data">{D}<length unit="bytes">{length}</length></bytes>')


class LintTest(unittest.TestCase):
    def assertLint(self, body, expected, align=4):
        self.assertEqual(diagnostics(body, align), expected)

    def test_clean_message(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="none">{D}',
            '<request>' + F("a", "u32") + '</request></message>'), [])

    # -- layout ----------------------------------------------------------
    def test_implicit_padding_before_field(self):
        self.assertLint(lines(
            f'<struct name="s" origin="wire">{D}',      # 4
            F("a", "u16"),                              # 5
            F("b", "u32"),                              # 6
            '</struct>'), [
            "t.xml:6: error: [implicit-padding] s: 2 bytes of implicit padding before 'b' on lp64; "
            "declare them as a padding field",
            "t.xml:6: error: [implicit-padding] s: 2 bytes of implicit padding before 'b' on ilp32; "
            "declare them as a padding field"])

    def test_implicit_tail_padding(self):
        self.assertLint(lines(
            f'<struct name="s" origin="wire">{D}',      # 4
            F("a", "u32"),                              # 5
            F("b", "u16"),                              # 6
            '</struct>'), [
            "t.xml:4: error: [implicit-padding] s: 2 bytes of implicit tail padding on lp64",
            "t.xml:4: error: [implicit-padding] s: 2 bytes of implicit tail padding on ilp32"])

    PADDED_TAIL = (
        f'<message name="A" opcode="1" response="none">{D}',     # 4
        '<request{defect}>',                                    # 5
        F("a", "u8"),                                           # 6: ends at 17, the u32 tail starts at 20
        '<tail name="p" type="u32">' + bytes_item("d", '<const value="4"/>') + '</tail>',  # 7
        '</request></message>')

    def test_implicit_padding_before_tail(self):
        body = lines(*self.PADDED_TAIL).replace("{defect}", "")
        self.assertLint(body, [
            "t.xml:7: error: [implicit-padding] t_ccmd_a_req: 3 bytes of implicit padding before 'p' on lp64",
            "t.xml:7: error: [implicit-padding] t_ccmd_a_req: 3 bytes of implicit padding before 'p' on ilp32"])

    def test_implicit_padding_before_tail_defect(self):
        body = lines(*self.PADDED_TAIL).replace("{defect}", ' lint-exempt="implicit-padding"')
        self.assertLint(body, [
            "t.xml:7: warning: [implicit-padding] t_ccmd_a_req: 3 bytes of implicit padding before 'p' on lp64",
            "t.xml:7: warning: [implicit-padding] t_ccmd_a_req: 3 bytes of implicit padding before 'p' on ilp32"])

    # u32 then u64: b is at 8 on LP64 (4 bytes of padding); upstream's i386
    # layout would put it at 4, the wire's (the generated declaration) does not.
    def u32_u64(self, struct_defect="", b_defect=""):
        return lines(
            f'<struct name="s" origin="wire"{struct_defect}>{D}',   # 4
            F("a", "u32"),                                          # 5
            F("b", "u64", b_defect),                                # 6
            '</struct>')

    def test_one_layout_on_every_abi(self):
        # The padding is there on both ABIs; the layouts do not differ.
        self.assertLint(self.u32_u64(), [
            "t.xml:6: error: [implicit-padding] s: 4 bytes of implicit padding before 'b' on lp64; "
            "declare them as a padding field",
            "t.xml:6: error: [implicit-padding] s: 4 bytes of implicit padding before 'b' on ilp32; "
            "declare them as a padding field"])

    def test_abi_dependent_layout_is_an_error_no_defect_excuses(self):
        # A layout the engine could not make one (simulated: the i386 layout
        # put back) is an error even with the defect: the headers would assert
        # one layout and not compile on i386.
        p = load(self.u32_u64(struct_defect=' upstream="abi-dependent-layout"'))
        s = p.structs[0]
        s.members[1].offset["ilp32"] = 4
        s.layout["ilp32"] = (12, 4)
        self.assertEqual([str(x) for x in lint.Linter(p).run()], [
            "t.xml:6: error: [implicit-padding] s: 4 bytes of implicit padding before 'b' on lp64; "
            "declare them as a padding field",
            "t.xml:4: error: [abi-dependent-layout] s: size differs between LP64 (16) and ILP32 (12)",
            "t.xml:6: error: [abi-dependent-layout] s.b: offset 8 on LP64 but 4 on ILP32"])

    def test_struct_defect_excuses_its_rule_only(self):
        self.assertLint(self.u32_u64(struct_defect=' upstream="abi-dependent-layout"'), [
            "t.xml:6: error: [implicit-padding] s: 4 bytes of implicit padding before 'b' on lp64; "
            "declare them as a padding field",
            "t.xml:6: error: [implicit-padding] s: 4 bytes of implicit padding before 'b' on ilp32; "
            "declare them as a padding field"])

    def test_field_defect_excuses_that_field_only(self):
        # The size of s is the struct's business: a defect on b does not excuse it.
        self.assertLint(self.u32_u64(b_defect=' lint-exempt="implicit-padding" upstream="abi-dependent-layout"'), [
            "t.xml:6: warning: [implicit-padding] s: 4 bytes of implicit padding before 'b' on lp64; "
            "declare them as a padding field",
            "t.xml:6: warning: [implicit-padding] s: 4 bytes of implicit padding before 'b' on ilp32; "
            "declare them as a padding field"])

    def test_multi_rule_defect_excuses_each_rule(self):
        # u64 then u32: 16 bytes (4 of them tail padding) on LP64, and on
        # ILP32 too, where upstream's layout would be 12.
        body = lines(
            f'<struct name="s" origin="wire" lint-exempt="implicit-padding" upstream="abi-dependent-layout">{D}',  # 4
            F("a", "u64"),
            F("b", "u32"),
            '</struct>')
        self.assertLint(body, [
            "t.xml:4: warning: [implicit-padding] s: 4 bytes of implicit tail padding on lp64",
            "t.xml:4: warning: [implicit-padding] s: 4 bytes of implicit tail padding on ilp32"])

    def test_padding_inside_union_struct(self):
        body = lines(
            f'<struct name="s" origin="wire">{D}<union name="u">{D}',  # 4
            f'<struct name="v">{D}' + F("a", "u32"),                  # 5
            F("b", "u64") + '</struct></union></struct>')              # 6
        self.assertLint(body, [
            "t.xml:6: error: [implicit-padding] v: 4 bytes of implicit padding before 'b' on lp64; "
            "declare them as a padding field",
            "t.xml:6: error: [implicit-padding] v: 4 bytes of implicit padding before 'b' on ilp32; "
            "declare them as a padding field"])

    def misaligned(self, defect=""):
        return lines(
            f'<message name="A" opcode="1" response="none">{D}',  # 4
            '<request align="4">',                                # 5: packed, hdr is 16 bytes
            F("a", "u32"),                                        # 6: at 16
            F("b", "u64", defect),                                # 7: at 20
            '</request></message>')

    def test_misaligned_64bit(self):
        self.assertLint(self.misaligned(), [
            "t.xml:7: error: [misaligned-64bit] t_ccmd_a_req.b: 64-bit field at offset 20; "
            "the protocol allows 64-bit fields only at 8-byte offsets"])

    def test_misaligned_64bit_defect(self):
        self.assertLint(self.misaligned(' lint-exempt="misaligned-64bit"'), [
            "t.xml:7: warning: [misaligned-64bit] t_ccmd_a_req.b: 64-bit field at offset 20; "
            "the protocol allows 64-bit fields only at 8-byte offsets"])

    def test_plain_int(self):
        self.assertLint(lines(f'<struct name="s" origin="wire">{D}', F("a", "int"), '</struct>'), [
            "t.xml:5: error: [plain-int] s.a: plain int on the wire; use i32"])

    def test_plain_int_defect(self):
        self.assertLint(lines(f'<struct name="s" origin="wire">{D}', F("a", "int", ' lint-exempt="plain-int"'),
                              '</struct>'), [
            "t.xml:5: warning: [plain-int] s.a: plain int on the wire; use i32"])

    def test_must_be_zero_needs_an_integer(self):
        self.assertLint(lines(
            f'<struct name="e" origin="wire">{D}' + F("x", "u32") + '</struct>',  # 4
            f'<struct name="s" origin="wire">{D}',                               # 5
            F("a", "e", ' must-be-zero="true"'),                                # 6
            '</struct>'), [
            "t.xml:6: error: [must-be-zero-type] s.a: must-be-zero needs an integer field"])

    def test_ioctl_number_is_u32(self):
        self.assertLint(lines(
            f'<struct name="s" origin="wire">{D}',                                        # 4
            f'<field name="a" type="u64">{D}<ioctl-allow base="0x40" max-size="64">{D}'  # 5
            f'<ioctl name="X" nr="1">{D}</ioctl></ioctl-allow></field>',
            '</struct>'), [
            "t.xml:5: error: [ioctl-type] s.a: an ioctl number is a u32"])

    def unaligned_request(self, defect=""):
        return lines(
            f'<message name="A" opcode="1" response="none">{D}',  # 4
            f'<request{defect}>',                                 # 5
            F("b", "u64"),                                        # 6
            '</request></message>')

    def test_message_alignment(self):
        self.assertLint(self.unaligned_request(), [
            "t.xml:5: error: [message-alignment] A: t_ccmd_a_req needs 8-byte alignment on lp64 but requests "
            'of this context are only 4-byte aligned; declare align="4"'])

    def test_message_alignment_defect(self):
        self.assertLint(self.unaligned_request(' lint-exempt="message-alignment"'), [
            "t.xml:5: warning: [message-alignment] A: t_ccmd_a_req needs 8-byte alignment on lp64 but requests "
            'of this context are only 4-byte aligned; declare align="4"'])

    def test_message_alignment_in_an_8_byte_context(self):
        self.assertLint(self.unaligned_request(), [], align=8)

    # -- lengths -----------------------------------------------------------
    def request(self, fields, *rows):
        """A message A whose request has fields on line 5 and then rows from line 6."""
        return lines(f'<message name="A" opcode="1" response="none">{D}', '<request>' + fields, *rows,
                     '</request></message>')

    def test_length_refers_to_later_item(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<tail name="payload" type="u8">',                       # 6
            f'<array name="x" type="u32">{D}<count>',                # 7
            '<fieldref name="y"/></count></array>',                  # 8
            f'<array name="y" type="u32">{D}<count><const value="1"/></count></array></tail>'), [
            "t.xml:8: error: [length-order] A: length of 'x' refers to 'y', which is not a field before it"])

    def test_length_refers_to_itself(self):
        self.assertLint(self.request(
            '',
            '<tail name="payload" type="u8">',                        # 6
            bytes_item("d", '<fieldref name="d"/>') + '</tail>'), [    # 7
            "t.xml:7: error: [length-order] A: length of 'd' refers to 'd', which is not a field before it"])

    def test_check_refers_to_tail_item(self):
        self.assertLint(self.request(
            F("n", "u32"),
            f'<check name="c">{D}<le>',                               # 6
            '<fieldref name="d"/><const value="3"/></le></check>',   # 7
            '<tail name="p" type="u8">' + bytes_item("d", '<fieldref name="n"/>') + '</tail>'), [
            "t.xml:7: error: [length-order] A: a check refers to 'd', which is not a field before it"])

    def test_unknown_length_field(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<tail name="payload" type="u8">',                        # 6
            bytes_item("d", '<fieldref name="m"/>') + '</tail>'), [    # 7
            "t.xml:7: error: [unknown-field] A: length refers to unknown field 'm'"])

    def test_unknown_request_field_in_response(self):
        body = lines(
            f'<message name="A" opcode="1" response="sync">{D}<request>' + F("n", "u32") + '</request>',  # 4
            '<response><tail name="p" type="u8">',                                                     # 5
            bytes_item("d", '<fieldref name="m" scope="request"/>'),                                   # 6
            '</tail></response></message>')
        self.assertLint(body, ["t.xml:6: error: [unknown-field] A: length refers to unknown field 'm'"])

    def test_signed_count(self):
        self.assertLint(self.request(
            F("n", "i32"),
            '<tail name="payload" type="u8">',                        # 6
            bytes_item("d", '<fieldref name="n"/>') + '</tail>'), [    # 7
            "t.xml:7: error: [count-type] A: 'n' is used as a length but is not an unsigned integer"])

    def test_array_field_as_count(self):
        self.assertLint(self.request(
            F("n", "u32", ' count="2"'),
            '<tail name="payload" type="u8">',                        # 6
            bytes_item("d", '<fieldref name="n"/>') + '</tail>'), [    # 7
            "t.xml:7: error: [count-type] A: 'n' is used as a length but is not an unsigned integer"])

    def test_product_of_fields(self):
        self.assertLint(self.request(
            F("n", "u32") + F("m", "u32"),
            '<tail name="payload" type="u8">',                                                  # 6
            f'<bytes name="d" content="data">{D}<length unit="bytes">',                         # 7
            '<mul><fieldref name="n"/><fieldref name="m"/></mul></length></bytes></tail>'), [   # 8
            "t.xml:8: error: [length-overflow] A: a product of more than one field can exceed 64 bits"])

    def test_product_of_field_and_constant(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<tail name="payload" type="u8">',
            bytes_item("d", '<mul><fieldref name="n"/><const value="4"/></mul>') + '</tail>'), [])

    def test_rest_not_last(self):
        self.assertLint(self.request(
            F("a", "u32"),
            '<tail name="payload" type="u8">',                        # 6
            bytes_item("x", '<rest/>'),                               # 7
            bytes_item("y", '<const value="4"/>') + '</tail>'), [      # 8
            "t.xml:7: error: [rest-last] A: only the last item can take the rest"])

    def test_item_named_like_a_field(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<tail name="payload" type="u8">',                        # 6
            bytes_item("n", '<const value="4"/>') + '</tail>'), [      # 7
            "t.xml:7: error: [duplicate-name] A: item 'n' is also a field of t_ccmd_a_req; "
            "tools name both in one object"])

    # -- rest arrays, trailers, file descriptors ------------------------------
    def test_rest_array_with_stride(self):
        self.assertLint(self.request(
            F("a", "u32"),
            '<tail name="payload" type="u8">',                                          # 6
            f'<array name="x" type="u32">{D}<count><rest/></count>'                     # 7
            '<stride unit="bytes"><const value="8"/></stride></array></tail>'), [
            "t.xml:7: error: [rest-stride] A: array 'x' takes the rest of the message in whole elements; "
            "it cannot have a stride"])

    def test_rest_array(self):
        self.assertLint(self.request(
            F("a", "u32"),
            f'<tail name="payload" type="u8"><array name="x" type="u32">{D}<count><rest/></count></array></tail>'), [])

    def test_trailer(self):
        self.assertLint(self.request(
            F("n", "u32"),
            f'<trailer><array name="t" type="u32">{D}<count><fieldref name="n"/></count></array></trailer>'), [])

    def test_request_trailer_taking_the_rest(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<trailer>',                                                                # 6
            f'<array name="t" type="u32">{D}<count><rest/></count></array></trailer>'), [   # 7
            "t.xml:7: error: [trailer] A: the request's trailer item 't' takes the rest: a host could not "
            "tell where the request ends"])

    def test_response_trailer_taking_the_rest(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="sync">{D}<request/>',                       # 4
            f'<response><trailer><array name="t" type="u64">{D}<count><rest/></count></array>'   # 5
            '</trailer></response></message>'), [])

    def test_trailer_with_stride(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<trailer>',                                                                # 6
            f'<array name="t" type="u32">{D}<count><fieldref name="n"/></count>'         # 7
            '<stride unit="bytes"><const value="8"/></stride></array></trailer>'), [
            "t.xml:7: error: [trailer] A: trailer item 't' has a stride; a trailer holds whole elements"])

    def test_trailer_item_named_like_a_field(self):
        self.assertLint(self.request(
            F("n", "u32"),
            '<trailer>',                                                                # 6
            f'<array name="n" type="u32">{D}<count><const value="1"/></count></array></trailer>'), [   # 7
            "t.xml:7: error: [duplicate-name] A: item 'n' is also a field or item of t_ccmd_a_req; tools "
            "name both in one object"])

    def test_trailer_rest_not_last(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="sync">{D}<request/><response><trailer>',    # 4
            f'<array name="s" type="u64">{D}<count><rest/></count></array>',                     # 5
            f'<array name="t" type="u64">{D}<count><const value="1"/></count></array>',          # 6
            '</trailer></response></message>'), [
            "t.xml:5: error: [rest-last] A: only the last item can take the rest"])

    def test_fd_when_unknown_field(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="none">{D}<request>' + F("flags", "u32") + '</request>',  # 4
            f'<fd name="f" direction="request" when="nope" mask="1">{D}</fd></message>'), [                  # 5
            't.xml:5: error: [unknown-field] A: fd f: when="nope" is not a field of the request'])

    def test_fd_when_field(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="none">{D}<request>' + F("flags", "u32") + '</request>',
            f'<fd name="f" direction="response" when="flags" mask="0x4">{D}</fd></message>'), [])

    # -- checks, sums, chunks, records ---------------------------------------
    def test_check_on_unknown_field(self):
        self.assertLint(self.request(
            F("a", "u32"),
            f'<check field="b" max="3">{D}</check>'), [               # 6
            "t.xml:6: error: [unknown-field] A: check on unknown field 'b' of t_ccmd_a_req"])

    def test_sumof_unknown_field(self):
        body = lines(
            f'<struct name="e" origin="wire">{D}' + F("n", "u32") + '</struct>',                 # 4
            f'<message name="A" opcode="1" response="none">{D}',                                 # 5
            '<request>' + F("count", "u32") + F("limit", "u32"),                                  # 6
            f'<check name="sum">{D}<le>',                                                         # 7
            '<sumof array="es" field="m"/><fieldref name="limit"/></le></check>',                 # 8
            f'<tail name="payload" type="u8"><array name="es" type="e">{D}'                       # 9
            '<count><fieldref name="count"/></count></array></tail>',
            '</request></message>')
        self.assertLint(body, ["t.xml:8: error: [unknown-field] A: sumof refers to unknown 'es[].m'"])

    DESCRIPTOR = f'<struct name="dd" origin="wire">{D}' + F("id", "u32") + F("off", "u32") + '{len}</struct>'

    def chunks(self, table_item):
        return lines(
            self.DESCRIPTOR.replace("{len}", ""),                     # 4
            f'<message name="A" opcode="1" response="none">{D}',      # 5
            '<request>' + F("n", "u32"),                              # 6
            '<tail name="p" type="u8">' + table_item,                 # 7
            '<chunks name="c" table="descs" id-field="id" offset-field="off" length-field="len" '  # 8
            f'length-unit="bytes">{D}<length unit="bytes"><rest/></length>'
            f'<chunk name="K" id="1" type="dd" size="any">{D}</chunk></chunks></tail>',
            '</request></message>')

    def test_chunks_table_must_precede(self):
        self.assertLint(self.chunks(""), [
            "t.xml:8: error: [unknown-field] A: chunks table 'descs' is not an array before it"])

    def test_chunks_descriptor_field(self):
        table = f'<array name="descs" type="dd">{D}<count><fieldref name="n"/></count></array>'
        self.assertLint(self.chunks(table), [
            "t.xml:8: error: [unknown-field] A: chunks: 'len' is not a field of dd"])

    def chunk_with_check(self, size, field):
        return lines(
            self.DESCRIPTOR.replace("{len}", F("len", "u32")),         # 4
            f'<message name="A" opcode="1" response="none">{D}',      # 5
            '<request>' + F("n", "u32"),                              # 6
            f'<tail name="p" type="u8"><array name="descs" type="dd">{D}<count><fieldref name="n"/></count></array>',  # 7
            '<chunks name="c" table="descs" id-field="id" offset-field="off" length-field="len" '  # 8
            f'length-unit="bytes">{D}<length unit="bytes"><rest/></length>'
            f'<chunk name="K" id="1" type="dd" size="{size}">{D}',
            f'<check field="{field}" multiple-of="8">{D}</check>',   # 9
            '</chunk></chunks></tail></request></message>')

    def test_chunk_check(self):
        self.assertLint(self.chunk_with_check("at-least", "off"), [])

    def test_chunk_check_needs_a_struct(self):
        self.assertLint(self.chunk_with_check("any", "off"), [
            't.xml:9: error: [chunk-check-size] A: a check on K chunks needs size="exact" or "at-least" '
            '(a whole struct to read)'])

    def test_chunk_check_on_unknown_field(self):
        self.assertLint(self.chunk_with_check("exact", "nope"), [
            "t.xml:9: error: [unknown-field] A: check on unknown field 'nope' of dd"])

    def test_guest_source(self):
        body = lines(
            f'<message name="A" opcode="1" response="none">{D}<request>',   # 4
            F("a", "u32", ' padding="true"'),                               # 5
            F("b", "u32", ' padding="true" guest="writes zero"'),           # 6
            '</request></message>')
        self.assertLint(body, [
            "t.xml:5: error: [guest-source] t_ccmd_a_req.a: a padding field of a request needs guest= "
            "naming the guest code that decides how it is filled"])

    def test_ioctl_argument_size(self):
        body = lines(
            f'<struct name="arg" origin="wire">{D}' + F("a", "u32") + '</struct>',           # 4
            f'<message name="A" opcode="1" response="none">{D}<request>',                     # 5
            f'<field name="cmd" type="u32">{D}<ioctl-allow base="0x40" max-size="64">{D}',    # 6
            f'<ioctl name="X" nr="0x01" number="0xc0086441" type="arg">{D}</ioctl>',         # 7
            '</ioctl-allow></field></request></message>')
        self.assertLint(body, [
            "t.xml:6: error: [ioctl-argument-size] t_ccmd_a_req.cmd: X (0xc0086441) has an argument of "
            "8 bytes, but arg is 4"])

    def records(self, record_rows):
        return lines(
            f'<struct name="h" origin="wire">{D}' + F("tag", "u32") + F("len", "u32") + '</struct>',  # 4
            f'<struct name="r" origin="wire">{D}' + F("x", "u32") + F("n", "u32") + '</struct>',      # 5
            f'<message name="A" opcode="1" response="none">{D}',                                     # 6
            '<request>' + F("k", "u32"),                                                             # 7
            f'<tail name="p" type="u8"><records name="recs" header="h" tag="tag">{D}'                # 8
            '<length unit="bytes"><rest/></length>',
            f'<record name="R" tag="1" type="r">{D}',                                                # 9
            record_rows,                                                                             # 10
            '</record></records></tail>',
            '</request></message>')

    def test_record_item_named_like_a_record_field(self):
        self.assertLint(self.records(bytes_item("x", '<fieldref name="n" scope="record"/>')), [
            "t.xml:10: error: [duplicate-name] A: recs R: 'x' is also a field of r; tools name both in one object"])

    def test_record_check_on_unknown_field(self):
        self.assertLint(self.records(f'<check field="y" max="1">{D}</check>'), [
            "t.xml:10: error: [unknown-field] A: check on unknown field 'y' of r"])

    def test_record_length_from_record_field(self):
        self.assertLint(self.records(bytes_item("d", '<fieldref name="n" scope="record"/>')), [])

    # -- messages ------------------------------------------------------------
    def test_duplicate_opcode(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="none">{D}<request/></message>',   # 4
            f'<message name="B" opcode="1" response="none">{D}<request/></message>'), [
            "t.xml:5: error: [duplicate-opcode] B: opcode 1 already used by A"])

    def test_duplicate_message(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="none">{D}<request/></message>',   # 4
            f'<message name="A" opcode="2" response="none">{D}<request/></message>'), [
            "t.xml:5: error: [duplicate-name] message A is defined twice"])

    def test_response_none_with_response(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="none">{D}',    # 4
            '<request/><response/></message>'), [
            't.xml:4: error: [response-kind] A: response="none" but a <response> is given'])

    def test_response_sync_without_response(self):
        self.assertLint(lines(
            f'<message name="A" opcode="1" response="sync">{D}',    # 4
            '<request/></message>'), [
            't.xml:4: error: [response-kind] A: response="sync" needs a <response>'])

    def test_duplicate_field(self):
        self.assertLint(self.request(F("a", "u32"), F("a", "u32")), [
            "t.xml:6: error: [duplicate-name] t_ccmd_a_req: field 'a' is defined twice"])


class CliTest(unittest.TestCase):
    """vdrm-gen --lint prints each finding as str() does, and fails on errors only."""

    def lint(self, body):
        with tempfile.TemporaryDirectory() as d:
            for name in ("vdrm.xml", "vdrm-protocol.rng"):
                shutil.copy(os.path.join(SPEC_DIR, name), d)
            with open(os.path.join(d, "t.xml"), "wb") as f:
                f.write(spec(body))
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = cli.main(["--spec-dir", d, "--lint", "t.xml"])
            return rc, err.getvalue().replace(d + os.sep, "")

    def test_error_fails(self):
        self.assertEqual(self.lint(lines(f'<struct name="s" origin="wire">{D}', F("a", "int"), '</struct>')),
                         (1, "t.xml:5: error: [plain-int] s.a: plain int on the wire; use i32\n"))

    def test_warning_passes(self):
        self.assertEqual(self.lint(lines(f'<struct name="s" origin="wire">{D}',
                                         F("a", "int", ' lint-exempt="plain-int"'), '</struct>')),
                         (0, "t.xml:5: warning: [plain-int] s.a: plain int on the wire; use i32\n"))


class CoverageTest(unittest.TestCase):
    """Every rule and every report in lint.py has an exact-line test in this file."""

    SITES = report_sites("lint.py")
    ORACLES = oracles(__file__)

    def test_scanner_sees_every_report(self):
        with open(os.path.join(os.path.dirname(cli.__file__), "lint.py"), encoding="utf-8") as f:
            self.assertEqual(len(self.SITES), f.read().count("self.report("))

    def test_every_rule_has_an_exact_line_test(self):
        tested = {m.group(1) for m in (re.match(r"(?:error|warning): \[([a-z0-9-]+)\] ", t) for t in self.ORACLES)
                  if m}
        self.assertEqual(sorted({s.rule for s in self.SITES} - tested), [])

    def test_every_report_has_an_exact_line_test(self):
        self.assertEqual(uncovered(self.SITES, self.ORACLES), [])

    def test_every_excusable_report_has_a_warning_test(self):
        warnings = [t for t in self.ORACLES if t.startswith("warning: ")]
        self.assertEqual(uncovered([s for s in self.SITES if s.excusable], warnings), [])

    def test_schema_lets_lint_exempt_name_every_excusable_rule(self):
        def params(nodes):
            for n in nodes:
                yield from ([n] if n.tag == "param" else []) + list(params(n.children))
        param = next(params(SCHEMA.defines["defect-attr"]))   # lint-exempt's pattern comes first
        for rule in sorted({s.rule for s in self.SITES if s.excusable}):
            self.assertRegex(rule, f"^(?:{param.text})$")


if __name__ == "__main__":
    unittest.main()
