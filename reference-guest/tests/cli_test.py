#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vdrm-guest as a user runs it: --spawn-host for every context it lists, the
JSON summary (zero round trips in steady frames, every check counted), the
--record stream decoded cleanly by vdrm-wire with as many messages as the
summary says were sent, and usage errors.

usage: cli_test.py VDRM_GUEST VDRM_WIRE   (VDRM_HOST in the environment)
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

GUEST = WIRE = None


def run(*args, check=True):
    p = subprocess.run([GUEST, *args], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"vdrm-guest {' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p


class Cli(unittest.TestCase):
    def contexts(self):
        return run("--list-contexts").stdout.split()

    def test_lists_msm(self):
        self.assertIn("msm", self.contexts())

    def test_every_context_runs_with_zero_steady_round_trips(self):
        for ctx in self.contexts():
            with self.subTest(context=ctx), tempfile.TemporaryDirectory() as d:
                rec = os.path.join(d, "stream.bin")
                s = json.loads(run("--spawn-host", "--context", ctx, "--frames", "10", "--json",
                                   "--record", rec).stdout)
                self.assertEqual(s["context"], ctx)
                self.assertEqual(s["transport"], "vtest")
                self.assertEqual(s["frames_done"], 10)
                self.assertIsNone(s["error"])
                self.assertEqual(s["errors"], 0)
                self.assertEqual(s["steady_round_trips"], 0)
                self.assertEqual(s["steady_max_round_trips_per_frame"], 0)
                self.assertEqual(s["fence_waits"], 10)
                self.assertEqual(s["bytes_checked"], 10 * (6144 + 4096))
                self.assertEqual(s["round_trips"],
                                 s["setup_round_trips"] + s["warmup_round_trips"])
                # The record is exactly the ccmds sent: vdrm-wire takes all of it.
                self.assertEqual(os.path.getsize(rec), s["ccmd_bytes"])
                v = subprocess.run([WIRE, "validate", "--context", ctx, rec], capture_output=True,
                                   text=True, timeout=60)
                self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
                out = subprocess.run([WIRE, "decode", "--context", ctx, rec], capture_output=True,
                                     text=True, timeout=60)
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertEqual(len(json.loads(out.stdout)), s["ccmds"])

    def test_text_summary(self):
        p = run("--spawn-host", "--context", "msm", "--frames", "4")
        self.assertIn("vdrm-guest: msm over vtest", p.stdout)
        self.assertIn("4 of 4 frames, ok", p.stdout)
        self.assertIn("steady frames 0, at most 0 in one steady frame", p.stdout)
        self.assertIn("errors:      0", p.stdout)

    def test_no_host_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            sock = os.path.join(d, "none.sock")
            p = run("--socket", sock, "--context", "msm", "--json", check=False)
            self.assertEqual(p.returncode, 1)
            s = json.loads(p.stdout)
            self.assertEqual(s["error"], f"connect: {sock}: No such file or directory")
            self.assertEqual(s["frames_done"], 0)

    def test_usage_errors(self):
        for args, text in [(["--frames", "10"], "--context NAME is required"),
                           (["--context", "nope"], "no context 'nope'"),
                           (["--context", "msm", "--frames", "x"], "--frames"),
                           (["--context", "msm", "--bogus"], "unknown option"),
                           (["--context", "msm", "--spawn-host", "--socket", "/x"], "exclude each other")]:
            with self.subTest(args=args):
                p = run(*args, check=False)
                self.assertEqual(p.returncode, 2)
                self.assertIn(text, p.stderr)

    def test_spawn_without_host_exits_3(self):
        env = dict(os.environ, VDRM_HOST="/nonexistent/vdrm-host")
        p = subprocess.run([GUEST, "--spawn-host", "--context", "msm"], capture_output=True, text=True,
                           env=env, timeout=60)
        self.assertEqual(p.returncode, 3)
        self.assertIn("no vdrm-host found", p.stderr)


if __name__ == "__main__":
    GUEST, WIRE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
