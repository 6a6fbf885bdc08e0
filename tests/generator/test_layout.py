import unittest

from helpers import load
from vdrmgen import layout


def struct(body, name="s", attrs=""):
    return f'<struct name="{name}" origin="wire"{attrs}><doc>d</doc>{body}</struct>'


def f(name, t, extra=""):
    return f'<field name="{name}" type="{t}"{extra}><doc>d</doc></field>'


class LayoutTest(unittest.TestCase):
    def layout_of(self, body, attrs=""):
        p = load(struct(body, attrs=attrs))
        s = p.structs[0]
        return s, {m.name: (m.offset["lp64"], m.offset["ilp32"]) for m in s.members}

    def test_u64_after_u32_keeps_its_lp64_place_on_ilp32(self):
        # One wire on every ABI: i386 would put b at 4 (upstream's layout);
        # the declaration states b's LP64 alignment so that it does not.
        s, offs = self.layout_of(f("a", "u32") + f("b", "u64"))
        self.assertEqual(offs["b"], (8, 8))
        self.assertEqual(s.layout["lp64"], (16, 8))
        self.assertEqual(s.layout["ilp32"], (16, 8))
        self.assertEqual(s.members[1].abi_align, 8)
        self.assertIsNone(s.members[0].abi_align)
        self.assertIsNone(s.abi_align)
        self.assertEqual(s.members[1].offset[layout.UPSTREAM], 4)
        self.assertEqual(s.layout[layout.UPSTREAM], (12, 4))

    def test_tail_padding_kept_on_ilp32_by_the_struct(self):
        # u64 then u32: no member moves, but i386 would end the struct at 12.
        s, offs = self.layout_of(f("a", "u64") + f("b", "u32"))
        self.assertEqual(s.layout["ilp32"], (16, 8))
        self.assertEqual(s.abi_align, 8)
        self.assertEqual([m.abi_align for m in s.members], [None, None])
        self.assertEqual(s.layout[layout.UPSTREAM], (12, 4))

    def test_no_alignment_stated_where_i386_agrees(self):
        # 64-bit members at 8-byte offsets and a size that is a multiple of 8:
        # only alignof differs, and the declaration is left as upstream's.
        s, offs = self.layout_of(f("a", "u64") + f("b", "u32") + f("c", "u32"))
        self.assertEqual(s.layout["ilp32"], (16, 4))
        self.assertFalse(layout.lp64_aligned(s))

    def test_packed_struct_is_the_same_everywhere(self):
        s, offs = self.layout_of(f("a", "u32") + f("b", "u64"), attrs=' align="4"')
        self.assertEqual(offs["b"], (4, 4))
        self.assertEqual(s.layout["ilp32"], (12, 4))
        self.assertFalse(layout.lp64_aligned(s))

    def test_kernel_struct_differing_on_i386_gets_a_wire_twin(self):
        p = load('<struct name="k" origin="uapi" header="k.h" guard="K_H"><doc>d</doc>'
                 + f("a", "u64") + f("b", "u32") + '</struct>'
                 + '<struct name="w" origin="wire"><doc>d</doc>' + f("x", "u32") + f("y", "u32")
                 + f("k", "k") + f("z", "u32") + f("pad", "u32") + '</struct>'
                 + '<struct name="same" origin="uapi" header="k.h" guard="K_H"><doc>d</doc>'
                 + f("a", "u64") + '</struct>')
        k, w, same = p.structs
        self.assertTrue(layout.has_twin(k))
        self.assertEqual(layout.wire_name(k), "vdrm_wire_k")
        self.assertEqual(k.layout["ilp32"], (16, 8))          # the twin's
        self.assertEqual(k.layout[layout.UPSTREAM], (12, 4))  # the kernel's own, on i386
        self.assertFalse(layout.has_twin(same))
        self.assertEqual(layout.wire_name(same), "same")
        # The wire struct embeds the twin: its own layout needs nothing stated.
        self.assertFalse(layout.has_twin(w))
        self.assertEqual(w.layout["ilp32"], (32, 8))
        self.assertEqual(w.members[3].offset["ilp32"], 24)
        self.assertEqual([m.abi_align for m in w.members], [None] * 5)
        self.assertEqual(w.layout[layout.UPSTREAM], (28, 4))

    def test_packed_align4_packs_and_rounds_to_4(self):
        s, offs = self.layout_of(f("a", "u32") + f("b", "u64") + f("c", "u8"), attrs=' align="4"')
        self.assertEqual(offs["b"], (4, 4))
        self.assertEqual(s.layout["lp64"], (16, 4))

    def test_tail_padding_and_arrays(self):
        s, offs = self.layout_of(f("a", "u64") + f("b", "u16", ' count="3"'))
        self.assertEqual(offs["b"], (8, 8))
        self.assertEqual(s.layout["lp64"], (16, 8))
        self.assertEqual(s.layout["ilp32"], (16, 4))

    def test_multidimensional_array(self):
        s, offs = self.layout_of(f("a", "u32", ' count="4 4"') + f("b", "u8"))
        self.assertEqual(offs["b"], (64, 64))

    def test_bitfields_share_a_unit(self):
        s, offs = self.layout_of(f("a", "u32", ' bits="1"') + f("b", "u32", ' bits="31"') + f("c", "u32"))
        self.assertEqual(offs["a"], (0, 0))
        self.assertEqual(offs["b"], (0, 0))
        self.assertEqual(offs["c"], (4, 4))
        self.assertEqual(s.members[1].bit_offset, 1)

    def test_union_takes_largest_member(self):
        body = (f("sel", "u32") +
                '<union name="u"><doc>d</doc>'
                '<struct name="x"><doc>d</doc>' + f("a", "u64") + '</struct>'
                '<struct name="y"><doc>d</doc>' + f("b", "u8", ' count="20"') + '</struct></union>')
        s, offs = self.layout_of(body)
        self.assertEqual(offs["u"], (8, 8))
        self.assertEqual(s.layout["lp64"], (32, 8))
        self.assertEqual(s.layout["ilp32"], (32, 8))
        self.assertEqual(s.members[1].abi_align, 8)
        self.assertEqual(s.members[1].offset[layout.UPSTREAM], 4)
        self.assertEqual(s.layout[layout.UPSTREAM], (24, 4))

    def test_union_rounded_to_its_lp64_size(self):
        body = ('<union name="u"><doc>d</doc>' + f("a", "u64") + f("b", "u8", ' count="20"') + '</union>')
        s, offs = self.layout_of(body)
        self.assertEqual(s.members[0].layout["ilp32"], (24, 8))
        self.assertEqual(s.members[0].abi_align, 8)
        self.assertEqual(s.layout[layout.UPSTREAM], (20, 4))

    def test_group_placed_and_sized_as_on_lp64(self):
        body = (f("id", "u32") + '<group name="r"><doc>d</doc>' + f("size", "u64") + f("heap", "u32")
                + '</group>' + f("z", "u32"))
        s, offs = self.layout_of(body)
        self.assertEqual(offs["r"], (8, 8))
        self.assertEqual(offs["z"], (24, 24))
        self.assertEqual(s.layout["ilp32"], (32, 8))
        self.assertEqual(s.members[1].type.abi_align, 8)     # the group's size
        self.assertEqual(s.layout[layout.UPSTREAM], (20, 4))

    def test_size_without_condition_on_ilp32(self):
        s, _ = self.layout_of(f("a", "u32") + f("c", "u32", ' build-condition="C"') + f("b", "u64"))
        self.assertEqual(layout.size_without(s, "C", "ilp32"), 16)
        self.assertEqual(layout.size_without(s, "C"), 16)

    def test_flexible_tail_after_header(self):
        p = load('<message name="X" opcode="1" response="none"><doc>d</doc><request>'
                 + f("n", "u32") +
                 '<tail name="payload" type="u8"><bytes name="b" content="data"><doc>d</doc>'
                 '<length unit="bytes"><fieldref name="n"/></length></bytes></tail></request></message>')
        req = p.messages[0].request
        self.assertEqual(req.tail_offset["lp64"], 20)
        self.assertEqual(req.layout["lp64"], (20, 4))

    def test_msm_matches_upstream(self):
        import os
        from helpers import SCHEMA, SPEC_DIR, BASE
        from vdrmgen import layout, model
        p = model.load(os.path.join(SPEC_DIR, "msm.xml"), SCHEMA, BASE)
        layout.compute(p)
        sizes = {s.name: s.layout["lp64"][0] for s in p.all_structs()}
        self.assertEqual(sizes["msm_ccmd_gem_new_req"], 40)
        self.assertEqual(sizes["msm_ccmd_gem_submit_req"], 36)
        self.assertEqual(sizes["msm_ccmd_submitqueue_query_rsp"], 12)
        self.assertEqual(sizes["msm_shmem"], 16)
        capset = next(s for s in BASE.structs if s.name == "virgl_renderer_capset_drm")
        self.assertEqual(capset.layout["lp64"][0], 592)


if __name__ == "__main__":
    unittest.main()


class GroupAndAnonymousUnionLayoutTest(unittest.TestCase):
    """Anonymous structs and unions lay out as GCC does (amdgpu's gem_new r, create_ctx union)."""

    def test_group_is_an_inline_struct(self):
        p = load('<struct name="s" origin="wire"><doc>d</doc>'
                 '<field name="id" type="u32"><doc>d</doc></field>'
                 '<field name="pad" type="u32"><doc>d</doc></field>'
                 '<group name="r"><doc>d</doc><field name="size" type="u64"><doc>d</doc></field>'
                 '<field name="heap" type="u32"><doc>d</doc></field>'
                 '<field name="__pad" type="u32"><doc>d</doc></field></group></struct>')
        s = p.structs[0]
        self.assertEqual(s.layout["lp64"], (24, 8))
        self.assertEqual(s.layout["ilp32"], (24, 4))
        self.assertEqual(s.members[2].offset["lp64"], 8)

    def test_anonymous_union_of_fields(self):
        p = load('<struct name="s" origin="wire"><doc>d</doc>'
                 '<union><doc>d</doc><field name="priority" type="i32"><doc>d</doc></field>'
                 '<field name="id" type="u32"><doc>d</doc></field></union>'
                 '<field name="flags" type="u32"><doc>d</doc></field></struct>')
        s = p.structs[0]
        self.assertEqual(s.layout["lp64"], (8, 4))
        self.assertIsNone(s.members[0].name)
        self.assertEqual(s.members[1].offset["lp64"], 4)
