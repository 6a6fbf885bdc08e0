#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The long run: every fuzzer of fuzz/harnesses.txt until it has used a CPU budget.

Builds the libFuzzer binaries (fuzz/run-all.sh --build), then runs JOBS
fuzzers at a time, each resumed on its own corpus (build-fuzz/long-corpus/NAME,
kept between runs, seeded from fuzz/corpus and fuzz/regressions) until the
CPU time of its processes (user + system, from the kernel's rusage) reaches
the budget. Prints a Markdown row per harness (executions, CPU-minutes,
executions per CPU-second, corpus size, findings) and exits 1 when any
fuzzer found something: its input and log stay in fuzz-artifacts/long/NAME/.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPTIONS = ['-timeout=10', '-rss_limit_mb=2048', '-print_final_stats=1']


def harnesses():
    """(name, protocol) of every harness, in harnesses.txt's order."""
    with open(os.path.join(ROOT, 'fuzz', 'harnesses.txt')) as f:
        return [tuple(line.split()[0:3:2]) for line in f if line.strip() and not line.startswith('#')]


def seed(name, corpus):
    os.makedirs(corpus, exist_ok=True)
    for d in ('corpus', 'regressions'):
        src = os.path.join(ROOT, 'fuzz', d, name)
        for f in os.listdir(src) if os.path.isdir(src) else []:
            if not os.path.exists(os.path.join(corpus, f)):
                shutil.copy(os.path.join(src, f), corpus)


def run_one(name, proto, budget):
    """Fuzzes name until budget CPU-seconds are used; returns its row's numbers."""
    corpus = os.path.join(ROOT, 'build-fuzz', 'long-corpus', name)
    art = os.path.join(ROOT, 'fuzz-artifacts', 'long', name)
    os.makedirs(art, exist_ok=True)
    seed(name, corpus)
    cpu, execs, passes, status = 0.0, 0, 0, 0
    while cpu < budget and status == 0:
        passes += 1
        log = os.path.join(art, 'log.%d' % passes)
        cmd = [os.path.join(ROOT, 'build-fuzz', 'fuzz', 'fuzz-' + name),
               '-max_total_time=%d' % (budget - cpu + 5),
               '-dict=' + os.path.join(ROOT, 'generated', 'fuzz', proto + '.dict'),
               '-artifact_prefix=' + art + '/'] + OPTIONS + [corpus]
        with open(log, 'w') as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
            _, wstatus, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
        status = proc.returncode
        cpu += usage.ru_utime + usage.ru_stime
        with open(log) as f:
            m = re.search(r'^stat::number_of_executed_units: *(\d+)', f.read(), re.M)
        execs += int(m.group(1)) if m else 0
    found = sorted(f for f in os.listdir(art) if not f.startswith('log.'))
    return name, status, execs, cpu, len(os.listdir(corpus)), found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('cpu_seconds', nargs='?', type=int, default=600, help='CPU budget per fuzzer (600)')
    ap.add_argument('jobs', nargs='?', type=int, default=2, help='fuzzers at a time (2)')
    args = ap.parse_args()
    subprocess.run(['sh', os.path.join(ROOT, 'fuzz', 'run-all.sh'), '--build'], check=True, stdout=sys.stderr)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda h: run_one(h[0], h[1], args.cpu_seconds), harnesses()))
    print('| harness | executions | CPU-minutes | executions per CPU-second | corpus after | findings |')
    print('|---|---:|---:|---:|---:|---:|')
    bad = 0
    for name, status, execs, cpu, corpus, found in rows:
        bad += status != 0 or bool(found)
        print('| %s | %d | %.1f | %d | %d | %s |' % (name, execs, cpu / 60, execs / max(cpu, 1), corpus,
                                                   ' '.join(found) or ('exit %d' % status if status else 'none')))
    total = sum(r[2] for r in rows)
    print('\n%d executions in %.1f CPU-minutes, %d fuzzer(s) with findings' % (total, sum(r[3] for r in rows) / 60, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
