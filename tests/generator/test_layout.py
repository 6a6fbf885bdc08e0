import unittest

from helpers import load


def struct(body, name="s", attrs=""):
    return f'<struct name="{name}" origin="wire"{attrs}><doc>d</doc>{body}</struct>'


def f(name, t, extra=""):
    return f'<field name="{name}" type="{t}"{extra}><doc>d</doc></field>'


class LayoutTest(unittest.TestCase):
    def layout_of(self, body, attrs=""):
        p = load(struct(body, attrs=attrs))
        s = p.structs[0]
        return s, {m.name: (m.offset["lp64"], m.offset["ilp32"]) for m in s.members}

    def test_u64_after_u32_is_aligned_on_lp64_only(self):
        s, offs = self.layout_of(f("a", "u32") + f("b", "u64"))
        self.assertEqual(offs["b"], (8, 4))
        self.assertEqual(s.layout["lp64"], (16, 8))
        self.assertEqual(s.layout["ilp32"], (12, 4))

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
        self.assertEqual(offs["u"], (8, 4))
        self.assertEqual(s.layout["lp64"], (32, 8))
        self.assertEqual(s.layout["ilp32"], (24, 4))

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
