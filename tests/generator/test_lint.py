import unittest

from helpers import findings, load
from vdrmgen.errors import SpecError


def f(name, t, extra=""):
    return f'<field name="{name}" type="{t}"{extra}><doc>d</doc></field>'


def msg(name, opcode, fields, tail="", align=""):
    return (f'<message name="{name}" opcode="{opcode}" response="none"><doc>d</doc>'
            f'<request{align}>{fields}{tail}</request></message>')


def bytes_tail(length):
    return ('<tail name="payload" type="u8"><bytes name="data" content="data"><doc>d</doc>'
            f'<length unit="bytes">{length}</length></bytes></tail>')


class LintTest(unittest.TestCase):
    def rules(self, body, align=4):
        return [(x.level, x.rule, x.message) for x in findings(body, align)]

    def assertFires(self, body, rule, text, level="error", align=4):
        got = self.rules(body, align)
        self.assertTrue(any(r == rule and text in m and lv == level for lv, r, m in got),
                        f"{rule} not reported; got {got}")

    def test_clean_message(self):
        self.assertEqual(self.rules(msg("A", 1, f("a", "u32"))), [])

    def test_implicit_padding(self):
        self.assertFires(msg("A", 1, f("a", "u32") + f("b", "u64")), "implicit-padding",
                         "4 bytes of implicit padding before 'b' on lp64", align=8)

    def test_implicit_tail_padding(self):
        self.assertFires('<struct name="s" origin="wire"><doc>d</doc>' + f("a", "u64") + f("b", "u32") +
                         '</struct>', "implicit-padding", "4 bytes of implicit tail padding on lp64")

    def test_abi_dependent_layout(self):
        self.assertFires('<struct name="s" origin="wire"><doc>d</doc>' + f("a", "u32") + f("b", "u64") +
                         '</struct>', "abi-dependent-layout", "offset 8 on LP64 but 4 on ILP32")

    def test_defect_downgrades_to_warning(self):
        self.assertFires('<struct name="s" origin="wire" defect="abi-dependent-layout"><doc>d</doc>'
                         + f("a", "u32") + f("b", "u64") + '</struct>', "abi-dependent-layout",
                         "offset 8", level="warning")

    def test_duplicate_opcode(self):
        self.assertFires(msg("A", 1, f("a", "u32")) + msg("B", 1, f("a", "u32")), "duplicate-opcode",
                         "B: opcode 1 already used by A")

    def test_length_refers_to_later_field(self):
        tail = ('<tail name="payload" type="u8">'
                '<array name="x" type="u32"><doc>d</doc><count><fieldref name="y"/></count></array>'
                '<array name="y" type="u32"><doc>d</doc><count><const value="1"/></count></array></tail>')
        self.assertFires(msg("A", 1, f("n", "u32"), tail), "length-order",
                         "length of 'x' refers to 'y', which is not a field before it")

    def test_unknown_length_field(self):
        self.assertFires(msg("A", 1, f("n", "u32"), bytes_tail('<fieldref name="m"/>')), "unknown-field",
                         "unknown field 'm'")

    def test_signed_count(self):
        self.assertFires(msg("A", 1, f("n", "i32"), bytes_tail('<fieldref name="n"/>')), "count-type",
                         "'n' is used as a length but is not an unsigned integer")

    def test_product_of_fields(self):
        self.assertFires(msg("A", 1, f("n", "u32") + f("m", "u32"),
                             bytes_tail('<mul><fieldref name="n"/><fieldref name="m"/></mul>')),
                         "length-overflow", "more than one field")

    def test_misaligned_64bit(self):
        self.assertFires(msg("A", 1, f("a", "u32") + f("b", "u64"), align=' align="4"'),
                         "misaligned-64bit", "64-bit field at offset 20")

    def test_message_alignment(self):
        self.assertFires(msg("A", 1, f("b", "u64")), "message-alignment",
                         "needs 8-byte alignment on lp64 but requests of this context are only 4-byte aligned")

    def test_plain_int(self):
        self.assertFires(msg("A", 1, f("a", "int")), "plain-int", "plain int on the wire")

    def test_rest_not_last(self):
        tail = ('<tail name="payload" type="u8">'
                '<bytes name="x" content="data"><doc>d</doc><length unit="bytes"><rest/></length></bytes>'
                '<bytes name="y" content="data"><doc>d</doc><length unit="bytes"><const value="4"/></length></bytes></tail>')
        self.assertFires(msg("A", 1, f("a", "u32"), tail), "rest-last", "only the last item")

    def test_response_kind(self):
        self.assertFires('<message name="A" opcode="1" response="sync"><doc>d</doc><request/></message>',
                         "response-kind", "needs a <response>")

    def test_duplicate_field(self):
        self.assertFires(msg("A", 1, f("a", "u32") + f("a", "u32")), "duplicate-name",
                         "field 'a' is defined twice")


class SchemaTest(unittest.TestCase):
    def assertSpecError(self, body, line, text):
        with self.assertRaises(SpecError) as cm:
            load(body)
        self.assertEqual(cm.exception.line, line, str(cm.exception))
        self.assertIn(text, cm.exception.message)
        self.assertTrue(str(cm.exception).startswith(f"t.xml:{line}: "))

    def test_missing_attribute(self):
        self.assertSpecError('<struct name="s" origin="wire"><doc>d</doc>\n<field name="a"><doc>d</doc></field></struct>',
                             5, "<field> lacks the required attribute type")

    def test_bad_attribute_value(self):
        self.assertSpecError('<struct name="s" origin="wire" align="3"><doc>d</doc>' + f("a", "u32") + '</struct>',
                             4, 'attribute align="3" is not allowed')

    def test_unknown_element(self):
        self.assertSpecError('<struct name="s" origin="wire"><doc>d</doc>\n<feild name="a" type="u32"/></struct>',
                             5, "<feild> is not allowed here")

    def test_unknown_type(self):
        self.assertSpecError('<struct name="s" origin="wire"><doc>d</doc>\n<field name="a" type="u33"><doc>d</doc></field></struct>',
                             5, "unknown type 'u33'")

    def test_malformed_xml(self):
        self.assertSpecError('<struct name="s" origin="wire"><doc>d</doc>\n<field></struct>', 5, "malformed XML")


if __name__ == "__main__":
    unittest.main()


class NewElementsLintTest(LintTest):
    """Lint of the elements the other contexts need: checks, sumof, chunks, multi-rule defects."""

    def test_check_on_unknown_field(self):
        self.assertFires(msg("A", 1, f("a", "u32") + '<check field="b" max="3"><doc>d</doc></check>'),
                         "unknown-field", "check on unknown field 'b'")

    def test_sumof_unknown_field(self):
        s = ('<struct name="e" origin="wire"><doc>d</doc>' + f("n", "u32") + '</struct>' +
             msg("A", 1, f("count", "u32") + f("limit", "u32") +
                 '<check name="sum"><doc>d</doc><le><sumof array="es" field="m"/><fieldref name="limit"/></le></check>',
                 '<tail name="payload" type="u8"><array name="es" type="e"><doc>d</doc>'
                 '<count><fieldref name="count"/></count></array></tail>'))
        self.assertFires(s, "unknown-field", "sumof refers to unknown 'es[].m'")

    def test_chunks_table_must_precede(self):
        s = ('<struct name="d" origin="wire"><doc>d</doc>' + f("id", "u32") + f("off", "u32") + f("len", "u32") +
             '</struct>' +
             msg("A", 1, f("n", "u32"),
                 '<tail name="payload" type="u8"><chunks name="c" table="descs" id-field="id" offset-field="off" '
                 'length-field="len" length-unit="bytes"><doc>d</doc><length unit="bytes"><rest/></length>'
                 '<chunk name="K" id="1" type="d" size="any"><doc>d</doc></chunk></chunks></tail>'))
        self.assertFires(s, "unknown-field", "chunks table 'descs' is not an array before it")

    def test_multi_rule_defect_excuses_each_rule(self):
        body = ('<struct name="s" origin="wire" defect="implicit-padding abi-dependent-layout"><doc>d</doc>' +
                f("a", "u64") + f("b", "u32") + '</struct>')
        got = self.rules(body)
        self.assertTrue(got and all(level == "warning" for level, _, _ in got), got)
        self.assertIn("implicit-padding", [r for _, r, _ in got])
        self.assertIn("abi-dependent-layout", [r for _, r, _ in got])

    def test_message_alignment_defect_is_a_warning(self):
        self.assertFires(msg("A", 1, f("a", "u64"), align=' defect="message-alignment"'),
                         "message-alignment", "needs 8-byte alignment", level="warning")
