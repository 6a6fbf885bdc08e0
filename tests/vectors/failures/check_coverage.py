#!/usr/bin/env python3
"""Fails when a check of a generated decoder has no decode-failure vector.

Scans SRC_DIR/NAME_codec.c for the checks the decoders make:

- every vdrm_fail(err, VDRM_E_X, offset, "COMMAND", "field", ...) call with
  literal command and field strings, outside the dispatch functions;
- every vdrm_take(..., "COMMAND", "field", err) call whose count does not
  come from msg_len or limit (a count taken from the message can run past
  hdr.len: VDRM_E_TRUNCATED; "the rest of the message" or of a trailer's
  buffer cannot);
- for every request and response of the conformance vectors
  VECTORS_DIR/NAME.json, the runtime's checks of the header's length (field
  hdr.len, or the length field the context's struct vdrm_framing names:
  VDRM_E_SHORT, VDRM_E_TRUNCATED), for responses a buffer too short for the
  length, and per context a request too short for its header (VDRM_E_SHORT,
  field "hdr").

A call site inside a function whose name says _req or _rsp belongs to that
direction. Each (context, command, direction, field, status) needs at least
as many cases in VECTORS_DIR/failures/NAME.json as it has call sites, less
those unreachable.json declares dead (with the reason). Lists every check
short of cases and exits 1.

usage: check_coverage.py SRC_DIR VECTORS_DIR
"""

import collections
import glob
import json
import os
import re
import sys

CALL = re.compile(r'\b(vdrm_fail|vdrm_take)\s*\(')
# A function definition's name: an identifier followed by "(" on a line that
# starts in column 0 (the generated code puts it there, after its type).
FUNC = re.compile(r'^(?!return\b|if\b|for\b|while\b|switch\b)'
                  r'(?:[A-Za-z_][^;=()\n]*?[\s*])?([A-Za-z_]\w*)\s*\(', re.M)
STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


def blank_comments(src):
    """src with comments replaced by spaces (newlines kept, so lines still count)."""
    out, i = [], 0
    while i < len(src):
        if src[i] in '"\'':
            j = i + 1
            while j < len(src) and src[j] != src[i]:
                j += 2 if src[j] == '\\' else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith('/*', i) or src.startswith('//', i):
            j = src.find('*/', i + 2) + 2 if src[i + 1] == '*' else src.find('\n', i)
            j = len(src) if j < i + 2 else j
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        else:
            out.append(src[i])
            i += 1
    return ''.join(out)


def call_args(src, start):
    """The top-level arguments of the call whose "(" is at src[start]."""
    args, depth, cur, i = [], 0, '', start
    while i < len(src):
        ch = src[i]
        if ch in '"\'':
            j = i + 1
            while src[j] != ch:
                j += 2 if src[j] == '\\' else 1
            cur += src[i:j + 1]
            i = j + 1
            continue
        if ch in '([{':
            depth += 1
            if depth > 1:
                cur += ch
        elif ch in ')]}':
            depth -= 1
            if depth == 0:
                args.append(cur.strip())
                return args
            cur += ch
        elif ch == ',' and depth == 1:
            args.append(cur.strip())
            cur = ''
        else:
            cur += ch
        i += 1
    raise ValueError('unbalanced call at offset %d' % start)


def literal(arg):
    m = STRING.match(' '.join(arg.split()))
    return m.group(1) if m else None


def direction_of(func):
    if func and re.search(r'_req(_|$)', func):
        return 'request'
    if func and re.search(r'_rsp(_|$)', func):
        return 'response'
    return None


def scan(path, context):
    """(key, line) of every check site of the decoders in path."""
    src = blank_comments(open(path).read())
    funcs = [(m.start(), m.group(1)) for m in FUNC.finditer(src)]
    sites = []
    for m in CALL.finditer(src):
        func = None
        for pos, name in funcs:
            if pos > m.start():
                break
            func = name
        if func and 'dispatch' in func:
            continue
        args = call_args(src, m.end() - 1)
        strings = [s for s in (literal(a) for a in args) if s is not None]
        line = src.count('\n', 0, m.start()) + 1
        if m.group(1) == 'vdrm_fail':
            if len(args) < 5 or literal(args[3]) is None or literal(args[4]) is None:
                continue
            status = re.search(r'VDRM_E_\w+', args[1])
            if not status:
                continue
            key = (context, literal(args[3]), direction_of(func), literal(args[4]),
                   status.group(0))
        else:
            if len(strings) < 2:
                continue
            counts = [a for a in args if a not in ('msg_len', 'limit') and re.search(r'\b(msg_len|limit)\b', a)]
            if counts:
                continue          # the rest of the message: cannot run past it
            key = (context, strings[0], direction_of(func), strings[1], 'VDRM_E_TRUNCATED')
        sites.append((key, '%s:%d' % (os.path.basename(path), line)))
    return sites


FRAMING = re.compile(r'const struct vdrm_framing (\w+)_(request|response)_framing = \{[^}]*'
                     r'\.length_name = "([^"]+)"', re.S)


def length_names(src_path, context):
    """{direction: the length field's name} of a context's framings (default hdr.len)."""
    names = {'request': 'hdr.len', 'response': 'hdr.len'}
    for m in FRAMING.finditer(open(src_path).read()):
        if m.group(1) == context:
            names[m.group(2)] = m.group(3)
    return names


def runtime_sites(vectors_dir, context, names):
    path = os.path.join(vectors_dir, context + '.json')
    if not os.path.exists(path):
        return []
    where = 'runtime (%s)' % os.path.basename(path)
    # A request too short for its header: the context's request dispatch.
    seen, sites = set(), [((context, context, 'request', 'hdr', 'VDRM_E_SHORT'), where)]
    for v in json.load(open(path))['vectors']:
        msg = (v['command'], v['direction'])
        if msg in seen:
            continue
        seen.add(msg)
        length = names[v['direction']]
        checks = [(length, 'VDRM_E_SHORT'), (length, 'VDRM_E_TRUNCATED')]
        if v['direction'] == 'response':
            checks.append(('hdr', 'VDRM_E_SHORT'))   # a buffer too short for hdr.len
        for field, status in checks:
            sites.append(((context,) + msg + (field, status), where))
    return sites


def load_cases(vectors_dir, context):
    path = os.path.join(vectors_dir, 'failures', context + '.json')
    if not os.path.exists(path):
        return []
    doc = json.load(open(path))
    if doc.get('context') != context:
        sys.exit('%s: context is %r' % (path, doc.get('context')))
    names = collections.Counter(c['name'] for c in doc['cases'])
    dup = [n for n, k in names.items() if k > 1]
    if dup:
        sys.exit('%s: case names not unique: %s' % (path, ', '.join(dup)))
    return [((context, c.get('command', c['message']), c['direction'], c['field'], c['status']),
             c['name'], 'command' in c or 'known_defect' in c) for c in doc['cases']]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_dir, vectors_dir = sys.argv[1:]
    unreachable = json.load(open(os.path.join(vectors_dir, 'failures', 'unreachable.json')))
    sites = []
    cases = []
    for path in sorted(glob.glob(os.path.join(src_dir, '*_codec.c'))):
        context = os.path.basename(path)[:-len('_codec.c')]
        if context == 'vdrm':
            continue
        sites += scan(path, context)
        sites += runtime_sites(vectors_dir, context, length_names(path, context))
        cases += load_cases(vectors_dir, context)
    if not sites:
        sys.exit('no decoder checks found under %s' % src_dir)

    need = collections.defaultdict(list)
    for key, where in sites:
        need[key].append(where)
    dead = collections.Counter()
    for u in unreachable:
        key = (u['context'], u['command'], u.get('direction'), u['field'], u['status'])
        if key not in need:
            print('note: unreachable.json entry matches no check (remove it?): %s' % (key,))
            continue
        dead[key] += u.get('sites', 1)

    def covers(case, key):
        return case[:2] + case[3:] == key[:2] + key[3:] and key[2] in (None, case[2])

    def covering(key):
        return sum(1 for c, _, _ in cases if covers(c, key))

    for c, name, special in cases:
        if not special and not any(covers(c, key) for key in need):
            print('note: case "%s" (%s) matches no check found in the decoders' % (name, c[0]))

    missing, covered_sites = [], 0
    for key in sorted(need, key=lambda k: tuple(str(x) for x in k)):
        wanted = len(need[key]) - dead[key]
        have = covering(key)
        covered_sites += min(have, max(wanted, 0))
        if have < wanted:
            missing.append('%s %s %s: field "%s" %s: %d check(s) (%s), %d case(s)'
                           % (key[0], key[1], key[2] or '(either direction)', key[3], key[4],
                              wanted, ', '.join(need[key]), have))
    total = sum(len(w) for w in need.values())
    print('%d checks (%d distinct context/command/direction/field/status), %d declared '
          'unreachable, %d covered by %d failure vectors'
          % (total, len(need), sum(dead.values()), covered_sites, len(cases)))
    if missing:
        print('checks without a failure vector:')
        for m in missing:
            print('  ' + m)
        sys.exit(1)


if __name__ == '__main__':
    main()
