"""One wire on every ABI, for every shape the layout engine handles: a small
spec whose structs i386 would lay out differently (a 64-bit member after an
odd number of words, tail padding, a union, a group, a struct inside a union,
a kernel struct carried as a wire twin), rendered and compiled with -m64 and
-m32. The headers assert a single layout per wire struct, so both compiles
pass only if GCC gives the LP64 layout on i386 too and the engine agrees.
(The padding is undeclared on purpose: -Wpadded is tests/headers' business.)"""

import os
import shutil
import subprocess
import tempfile
import unittest

from helpers import ROOT
from vdrmgen import cli, layout

D = "<doc>d</doc>"


def F(name, t, extra=""):
    return f'<field name="{name}" type="{t}"{extra}>{D}</field>'


PAD = ' lint-exempt="implicit-padding"'
SPEC = f'''<?xml version="1.0"?>
<protocol name="abi" file="abi_proto.h" include-guard="ABI_PROTO_H_" context="VIRTGPU_DRM_CONTEXT_MSM" alignment="8">
  {D}
  <struct name="k" origin="uapi" header="vdrm_no_such_header.h" guard="VDRM_NO_SUCH_HEADER_H"{PAD}>
    {D}{F("a", "u64")}{F("b", "u32")}
  </struct>
  <struct name="placed" origin="wire"{PAD}>{D}{F("a", "u32")}{F("b", "u64")}</struct>
  <struct name="sized" origin="wire"{PAD}>{D}{F("a", "u64")}{F("b", "u32")}</struct>
  <struct name="in_union" origin="wire"{PAD}>
    {D}{F("sel", "u32")}
    <union name="u">{D}
      <struct name="x">{D}{F("a", "u64")}{F("b", "u32")}</struct>
      <struct name="y">{D}{F("c", "u8", ' count="4"')}</struct>
    </union>
    <union>{D}{F("p", "u64")}{F("q", "u8", ' count="12"')}</union>
    {F("z", "u32")}
  </struct>
  <struct name="grouped" origin="wire"{PAD}>
    {D}{F("id", "u32")}<group name="r">{D}{F("size", "u64")}{F("heap", "u32")}</group>{F("z", "u32")}
  </struct>
  <struct name="embeds" origin="wire"{PAD}>{D}{F("n", "u32")}{F("m", "u32")}{F("kk", "k")}{F("t", "u32")}</struct>
  <messages enum="abi_ccmd" prefix="ABI_CCMD_" struct-prefix="abi_ccmd_">
    <message name="WAIT" opcode="1" response="none">{D}
      <request lint-exempt="implicit-padding">{F("res_id", "u32")}{F("timeout_ns", "i64")}</request>
    </message>
  </messages>
</protocol>
'''


class AbiHeadersTest(unittest.TestCase):
    def setUp(self):
        self.cc = shutil.which(os.environ.get("CC", "cc"))
        if self.cc is None:
            self.skipTest("no C compiler")

    def render(self, out):
        spec_dir = os.path.join(out, "spec")
        os.makedirs(spec_dir)
        for f in ("vdrm.xml", "vdrm-protocol.rng"):
            shutil.copy(os.path.join(ROOT, "spec", f), spec_dir)
        with open(os.path.join(spec_dir, "abi.xml"), "w", encoding="utf-8") as f:
            f.write(SPEC)
        protocols, findings = cli.load_all(spec_dir, ["abi.xml"])
        # The padding is the point here (and not declared); no other finding.
        self.assertEqual([str(x) for x in findings if x.level == "error" and x.rule != "implicit-padding"], [])
        for rel, text in cli.render(protocols).items():
            if rel.endswith(".h"):
                with open(os.path.join(out, os.path.basename(rel)), "w", encoding="utf-8") as f:
                    f.write(text)
        return protocols[-1]

    def test_engine_states_lp64_alignment_where_i386_differs(self):
        with tempfile.TemporaryDirectory() as out:
            p = self.render(out)
        s = {x.name: x for x in p.all_structs()}
        for name in ("placed", "sized", "in_union", "grouped", "embeds", "abi_ccmd_wait_req"):
            self.assertEqual(s[name].layout["ilp32"][0], s[name].layout["lp64"][0], name)
            self.assertNotEqual(s[name].layout[layout.UPSTREAM][0], s[name].layout["lp64"][0], name)
        self.assertTrue(layout.has_twin(s["k"]))

    def test_headers_compile_with_one_layout_on_both_abis(self):
        with tempfile.TemporaryDirectory() as out:
            self.render(out)
            src = os.path.join(out, "t.c")
            with open(src, "w", encoding="utf-8") as f:
                f.write('#include "abi_proto.h"\n#include "abi_uapi.h"\n'
                        'int abi_size(void);\nint abi_size(void) { return (int)sizeof(struct embeds); }\n')
            for abi in ("-m64", "-m32"):
                r = subprocess.run([self.cc, abi, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-padded",
                                    "-I", out, "-c", src, "-o", os.path.join(out, "t.o")],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, f"{abi}:\n{r.stderr}")


if __name__ == "__main__":
    unittest.main()
