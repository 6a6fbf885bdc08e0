"""Golden outputs: a small spec's generated files, compared byte for byte
with the checked-in ones in golden/expected/ (as wayland-scanner's tests do)."""

import difflib
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden"))

import render  # noqa: E402


class GoldenTest(unittest.TestCase):
    def test_outputs_match(self):
        got = render.render()
        expected = sorted(os.listdir(render.EXPECTED))
        self.assertEqual(sorted(got), expected)
        for name, text in got.items():
            with open(os.path.join(render.EXPECTED, name), encoding="utf-8") as f:
                want = f.read()
            if text != want:
                diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                                    f"expected/{name}", f"generated {name}", n=2))
                self.fail(f"{name} differs from its golden copy "
                          f"(python3 tests/generator/golden/render.py rewrites it):\n{diff}")


if __name__ == "__main__":
    unittest.main()
