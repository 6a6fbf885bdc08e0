#!/bin/sh
# vdrm-guest against virglrenderer's own vtest server (built without a GPU by
# ../shared/interop/build-peer.sh on Mesa's noop drm-shims), every context:
#   sh scripts/guest-vs-virglrenderer.sh PEER_DIR [BUILD_DIR]
# For each context: the query-only workload (the shims cannot export
# buffers, so nothing that maps one can work there), then the full workload,
# whose first failure shows where the shim stops it. The server's log for
# each context is kept in OUT (default /tmp/guest-vs-virglrenderer).
set -u
peer=${1:?usage: guest-vs-virglrenderer.sh PEER_DIR [BUILD_DIR]}
build=${2:-build}
out=${OUT:-/tmp/guest-vs-virglrenderer}
guest=$build/reference-guest/vdrm-guest
build_peer=${BUILD_PEER:-$(dirname "$0")/../../shared/interop/build-peer.sh}
frames=${FRAMES:-20}
[ -x "$guest" ] || { echo "no $guest: build first (meson setup $build && ninja -C $build)" >&2; exit 2; }
[ -f "$build_peer" ] || { echo "no build-peer.sh at $build_peer (BUILD_PEER=...)" >&2; exit 2; }
mkdir -p "$out"
status=0
for ctx in $("$guest" --list-contexts); do
  sock=$out/$ctx.sock
  rm -f "$sock"
  cmd=$(bash "$build_peer" "$peer" cmd "$ctx" "$sock") || { status=1; continue; }
  sh -c "exec $cmd" >"$out/$ctx.server.log" 2>&1 &
  server=$!
  i=0
  while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  echo "== $ctx (server: $cmd)"
  "$guest" --socket "$sock" --context "$ctx" --frames "$frames" --queries-only || status=1
  "$guest" --socket "$sock" --context "$ctx" --frames "$frames" || true
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  echo "   server log: $out/$ctx.server.log ($(wc -l <"$out/$ctx.server.log") lines)"
done
exit "$status"
