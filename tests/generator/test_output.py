import os
import subprocess
import sys
import tempfile
import unittest

from helpers import ROOT

GEN = os.path.join(ROOT, "generator", "vdrm-gen")


class OutputTest(unittest.TestCase):
    def generate(self, out):
        subprocess.run([sys.executable, GEN, "--out", out], check=True)
        files = {}
        for d, _, names in os.walk(out):
            for n in names:
                with open(os.path.join(d, n), encoding="utf-8") as fh:
                    files[os.path.relpath(os.path.join(d, n), out)] = fh.read()
        return files

    def test_deterministic(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            self.assertEqual(self.generate(a), self.generate(b))

    def test_checked_in_output_is_fresh(self):
        r = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_banner_names_spec_and_hash(self):
        with tempfile.TemporaryDirectory() as a:
            files = self.generate(a)
        self.assertIn("from spec/msm.xml", files["include/msm_proto.h"])
        self.assertRegex(files["include/msm_proto.h"], r"sha256 [0-9a-f]{16}")

    def test_upstream_names(self):
        with tempfile.TemporaryDirectory() as a:
            h = self.generate(a)["include/msm_proto.h"]
        for name in ("enum msm_ccmd", "MSM_CCMD_NOP = 1,", "MSM_CCMD_SET_DEBUGINFO = 11,", "MSM_CCMD_LAST",
                     "#define MSM_CCMD(_cmd, _len)", "DEFINE_CAST(vdrm_ccmd_req, msm_ccmd_gem_submit_req)",
                     "struct msm_ccmd_ioctl_simple_rsp {", "int8_t payload[];", "} VDRM_ALIGN_4;", "#define VDRM_ALIGN_4 DRM_ALIGN_4",
                     "DEFINE_CAST(vdrm_shmem, msm_shmem)"):
            self.assertIn(name, h)

    def test_help(self):
        r = subprocess.run([sys.executable, GEN, "--help"], capture_output=True, text=True, check=True)
        self.assertIn("--check", r.stdout)


if __name__ == "__main__":
    unittest.main()
