#!/bin/bash
# A core_pattern pipe handler: the kernel runs it with the core on stdin, as it runs
# systemd-coredump or apport. Install (as root):
#   echo "|$PWD/scripts/core-pipe-handler.sh %p /var/tmp/corewalk-cores" > /proc/sys/kernel/core_pattern
# Writes DIR/core.PID atomically (a temporary name, then a rename), so a reader never sees half a core.
# The kernel gives it no PATH beyond /sbin:/bin:/usr/sbin:/usr/bin and no terminal: errors go to
# DIR/handler.log.
set -u
pid=${1:?pid}
dir=${2:-/var/tmp/corewalk-cores}
mkdir -p "$dir"
tmp="$dir/.core.$pid.partial"
if cat >"$tmp"; then
  mv -f "$tmp" "$dir/core.$pid"
else
  echo "$(date -u +%FT%TZ) pid $pid: writing the core failed" >>"$dir/handler.log"
  rm -f "$tmp"
fi
