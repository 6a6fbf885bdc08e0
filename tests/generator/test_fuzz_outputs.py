"""The fuzzing outputs: every context's dictionary (generated/fuzz/NAME.dict)
lists every opcode and header prefix in libFuzzer/AFL syntax, and the
golden context's dictionary and mutator roles are exactly what its spec
says (computed by hand here, not by the generator)."""

import os
import re
import struct
import sys
import unittest

from helpers import ROOT, SPEC_DIR

sys.path.insert(0, os.path.join(ROOT, "tests", "generator", "golden"))

from vdrmgen import bodies, cli, model, mutate  # noqa: E402

import render  # noqa: E402

_SPECS = []


def specs():
    """The real specs' models and outputs, loaded once for every test here."""
    if not _SPECS:
        protocols, _ = cli.load_all(SPEC_DIR)
        _SPECS.append((protocols, cli.render(protocols)))
    return _SPECS[0]


LINE = re.compile(r'^([A-Za-z0-9_]+)="((?:\\x[0-9a-f]{2})+)"$')


def parse(text):
    """[(name, bytes)] of a dictionary, comment lines skipped; fails on a malformed line."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if m is None:
            raise AssertionError(f"not a dictionary line: {line!r}")
        out.append((m.group(1), bytes(int(h, 16) for h in m.group(2).split("\\x")[1:])))
    return out


class ContextDictionaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.protocols, cls.files = specs()

    def test_every_context_has_one(self):
        names = sorted(p.name for p in self.protocols[1:])
        self.assertEqual(names, ["amdgpu", "asahi", "i915", "msm", "panfrost", "vtest"])
        for name in names:
            self.assertIn(f"fuzz/{name}.dict", self.files)
            self.assertIn(f"src/{name}_mutator.c", self.files)
            self.assertIn(f"include/{name}_mutator.h", self.files)

    def test_every_opcode_and_header_prefix(self):
        for p in self.protocols[1:]:
            entries = dict(parse(self.files[f"fuzz/{p.name}.dict"]))
            f = p.req_framing
            for msg in p.messages:
                self.assertEqual(entries[f"cmd_{msg.name}"], struct.pack("<I", msg.opcode), (p.name, msg.name))
                hdr = entries[f"hdr_{msg.name}"]
                self.assertEqual(hdr[f.cmd_offset:f.cmd_offset + 4], struct.pack("<I", msg.opcode))
                (length,) = struct.unpack_from("<I", hdr, f.length_offset)
                unit = msg.request.framing.unit if msg.request.framing else f.unit
                framed = length * unit + (0 if f.counts_header else f.header_size)
                # The fixed part of the request, not counting an empty tail's padding.
                self.assertGreaterEqual(framed, msg.request.tail_offset["lp64"] if msg.request.tail
                                        else msg.request.size(), (p.name, msg.name))
                if p.ccmd:
                    self.assertEqual(framed % 4, 0, (p.name, msg.name))

    def test_names_and_values_unique(self):
        for p in self.protocols[1:]:
            entries = parse(self.files[f"fuzz/{p.name}.dict"])
            self.assertEqual(len({n for n, _ in entries}), len(entries), p.name)
            self.assertEqual(len({v for _, v in entries}), len(entries), p.name)

    def test_enum_values_and_bits_present(self):
        # Every entry of an enum a request's fixed field takes (each bit, for a flag
        # set), in the field's size: a word of its own or an earlier word's bytes.
        for p in self.protocols[1:]:
            values = {v for _, v in parse(self.files[f"fuzz/{p.name}.dict"])}
            for msg in p.messages:
                for x in model.walk(msg.request, into_types=True):
                    f = x.member
                    if (f.kind != "field" or f.enum is None or f.type.kind != "scalar" or f.dims or f.bits
                            or x.condition or f.ignored or f.must_be_zero or f.padding):
                        continue
                    for name, v, _ in f.enum.entries:
                        words = [v] if f.enum.kind == "values" else [1 << b for b in range(64) if v >> b & 1]
                        for w in words:
                            self.assertIn(w.to_bytes(f.type.size, "little"), values, (p.name, msg.name, name))


    def test_chunk_ids_and_record_tags_present(self):
        # amdgpu CS_SUBMIT's chunk ids (in the table's id field), asahi SUBMIT's and
        # i915 GEM_CREATE_EXT's record tags (in the header's tag field).
        seen = 0
        for p in self.protocols[1:]:
            values = {v for _, v in parse(self.files[f"fuzz/{p.name}.dict"])}
            for msg in p.messages:
                items = {i.name: i for i in msg.request.items}
                for item in msg.request.items:
                    if item.kind == "chunks":
                        size = model.field_at(items[item.table].type, item.id_field)[0].type.size
                        words = [c.id for c in item.chunks]
                    elif item.kind == "records" and item.tag:
                        size = model.field_at(item.header, item.tag)[0].type.size
                        words = [r.tag for r in item.records]
                    else:
                        continue
                    for w in words:
                        self.assertIn(w.to_bytes(size, "little"), values, (p.name, msg.name, item.name, w))
                        seen += 1
        self.assertGreaterEqual(seen, 12)


class BuildersTest(unittest.TestCase):
    """What the mutator builds whole: record chains and chunk tables, found in the specs."""

    @classmethod
    def setUpClass(cls):
        protocols, _ = specs()
        cls.req = {(p.name, msg.name): req for p in protocols[1:] for msg, req, _ in bodies.bodies(p)}

    def test_record_chains(self):
        found = sorted(k for k, req in self.req.items() if mutate.record_chains(req))
        self.assertEqual(found, [("asahi", "SUBMIT"), ("i915", "GEM_CONTEXT_CREATE"), ("i915", "GEM_CREATE_EXT")])
        chain = mutate.record_chains(self.req[("asahi", "SUBMIT")])
        self.assertEqual((chain.length_path, chain.tag_path, chain.tag_size), ("cmdbuf_size", "cmd_type", 2))
        self.assertEqual([r.tag for r, _ in chain.kinds], [0, 1, 2, 3, 4])
        render = dict((x.path, x) for x in chain.kinds[0][1])
        # <check field="hdr.size" one-of="240">; the tag itself is set by the engine, not a role
        self.assertEqual((render["hdr.size"].role, render["hdr.size"].values, render["hdr.size"].closed),
                         (mutate.VALUES, [240], True))
        self.assertNotIn("hdr.cmd_type", render)
        untagged = mutate.record_chains(self.req[("i915", "GEM_CONTEXT_CREATE")])
        self.assertEqual((untagged.tag_path, untagged.tag_size, len(untagged.kinds)), (None, 0, 1))

    def test_chunk_regions(self):
        found = sorted(k for k, req in self.req.items() if mutate.chunk_regions(req))
        self.assertEqual(found, [("amdgpu", "CS_SUBMIT")])
        c = mutate.chunk_regions(self.req[("amdgpu", "CS_SUBMIT")])
        # num_chunks counts the descriptors; the chunks take the rest of the request
        self.assertEqual((c.count_path, c.count_size, c.length_path), ("num_chunks", 4, None))
        descs = next(roles for _, item, roles in mutate.element_items(self.req[("amdgpu", "CS_SUBMIT")])
                     if item.name == "descs")
        chunk_id = next(r for r in descs if r.path == "chunk_id")
        self.assertEqual((chunk_id.role, chunk_id.values, chunk_id.closed), (mutate.VALUES, [1, 2, 3, 6], True))


class GoldenDictionaryTest(unittest.TestCase):
    def test_exact_lines(self):
        text = render.render()["tiny.dict"]
        body = [line for line in text.splitlines() if not line.startswith("#")]
        self.assertEqual(body, [
            # cmd, then len: the 16-byte header, then SET's 4 u32 fields, PUT's 2, RAW's 1
            r'hdr_NOP="\x01\x00\x00\x00\x10\x00\x00\x00"',
            r'hdr_SET="\x02\x00\x00\x00\x20\x00\x00\x00"',
            r'hdr_PUT="\x03\x00\x00\x00\x18\x00\x00\x00"',
            r'hdr_RAW="\x04\x00\x00\x00\x14\x00\x00\x00"',
            r'cmd_NOP="\x01\x00\x00\x00"',
            r'cmd_SET="\x02\x00\x00\x00"',
            r'cmd_PUT="\x03\x00\x00\x00"',
            r'cmd_RAW="\x04\x00\x00\x00"',
            r'size_NOP="\x10\x00\x00\x00"',
            r'size_SET="\x20\x00\x00\x00"',
            r'size_PUT="\x18\x00\x00\x00"',
            r'size_RAW="\x14\x00\x00\x00"',
            # the flag bits 1 and 2 are cmd_NOP's and cmd_SET's bytes already; TINY_MAX_VALUE
            r'max_SET_value="\x64\x00\x00\x00"',
            r'max_PUT_items="\x08\x00\x00\x00"',
            r'over_PUT_items="\x09\x00\x00\x00"',
        ])


class GoldenRolesTest(unittest.TestCase):
    def test_roles_follow_the_spec(self):
        import tempfile
        import shutil
        with tempfile.TemporaryDirectory() as d:
            for f in ("vdrm.xml", "vdrm-protocol.rng"):
                shutil.copy(os.path.join(SPEC_DIR, f), d)
            shutil.copy(os.path.join(render.HERE, "tiny.xml"), d)
            protocols, _ = cli.load_all(d, ["tiny.xml"])
        tiny = protocols[1]
        roles = {}
        for msg, req, _ in bodies.bodies(tiny):
            for r in mutate.field_roles(req):
                roles[(msg.name, r.path)] = (r.role, r.values, r.min, r.max, r.closed)
        self.assertEqual(roles, {
            ("SET", "flags"): (mutate.FLAGS, [1, 2], 0, None, True),      # closed flag set
            ("SET", "value"): (mutate.RANGE, [], 0, 100, False),          # <check max=TINY_MAX_VALUE>
            ("SET", "reserved"): (mutate.ZERO, [], 0, None, False),       # must-be-zero
            ("SET", "extra"): (mutate.PLAIN, [], 0, None, False),
            ("PUT", "nr_items"): (mutate.SIZE, [], 0, 8, False),          # counts items, max 8
            ("PUT", "name_len"): (mutate.SIZE, [], 0, None, False),       # sizes name
            ("RAW", "len"): (mutate.SIZE, [], 0, None, False),
        })


if __name__ == "__main__":
    unittest.main()
