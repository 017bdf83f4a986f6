#!/usr/bin/env bash
# Runs PROGRAM SCENARIO under gdb, stops at MARKER, prints the backtrace and checks it: every
# EXPECTED function name appears, in that order (innermost first), and the unwinder neither
# invents frames (`?? ()`) nor gives up on a corrupt stack.
#   run_gdb.sh EMULATOR PROGRAM SCENARIO MARKER EXPECTED...
# EMULATOR is empty for a native program, else the qemu-user command line (";"-separated, as
# CMAKE_CROSSCOMPILING_EMULATOR), whose gdbstub gdb-multiarch attaches to.
set -uo pipefail
emulator=$1 program=$2 scenario=$3 marker=$4
shift 4
common=(-batch -nx -ex "set pagination off" -ex "set confirm off"
        -ex "handle SIGALRM nostop noprint pass" -ex "handle SIGUSR1 nostop noprint pass")
if [ -z "$emulator" ]; then
  output=$(timeout 120 gdb "${common[@]}" -ex "break $marker" -ex run -ex bt -ex kill --args "$program" "$scenario" 2>&1)
else
  IFS=';' read -r -a qemu <<<"$emulator"
  sysroot=""
  for ((i = 0; i < ${#qemu[@]}; i++)); do [ "${qemu[$i]}" = "-L" ] && sysroot=${qemu[$((i + 1))]}; done
  # gdb 13 cannot unwind through the SVE record of qemu-aarch64's signal frames ("Invalid vector
  # length in signal frame"): debug aarch64 programs on a CPU without SVE.
  case "${qemu[0]}" in *qemu-aarch64) qemu+=(-cpu max,sve=off) ;; esac
  port=$((20000 + RANDOM % 20000))
  "${qemu[@]}" -g "$port" "$program" "$scenario" >/dev/null 2>&1 &
  qemu_pid=$!
  sleep 1
  output=$(timeout 120 gdb-multiarch "${common[@]}" -ex "set sysroot $sysroot" -ex "file $program" \
           -ex "target remote localhost:$port" -ex "break $marker" -ex continue -ex bt -ex kill 2>&1)
  kill "$qemu_pid" 2>/dev/null
  wait "$qemu_pid" 2>/dev/null
fi
backtrace=$(grep -E '^#[0-9]+ ' <<<"$output")
echo "$backtrace"
status=0
if [ -z "$backtrace" ]; then
  echo "no backtrace; gdb said:"; echo "$output" | tail -20
  exit 1
fi
if grep -qE ' in \?\? \(' <<<"$backtrace" || grep -qE '^Backtrace stopped|corrupt stack' <<<"$output"; then
  echo "FAIL: the unwinder invented or lost frames"
  status=1
fi
remaining=$backtrace
for name in "$@"; do
  line=$(grep -nE "[ :]${name}( |\\()" <<<"$remaining" | head -1 | cut -d: -f1)
  if [ -z "$line" ]; then
    echo "FAIL: '$name' missing from the backtrace (or out of order)"
    status=1
    break
  fi
  remaining=$(tail -n +"$((line + 1))" <<<"$remaining")
done
[ $status -eq 0 ] && echo "backtrace ok: $*"
exit $status
