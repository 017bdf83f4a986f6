#!/usr/bin/env bash
# Runs PROGRAM SCENARIO under gdb, stops at MARKER, prints the backtrace and checks it: every
# EXPECTED function name appears, in that order (innermost first), and the unwinder neither
# invents frames (`?? ()`) nor gives up on a corrupt stack.
#   run_gdb.sh [--source SCRIPT] [--init COMMAND]... [--show COMMAND]... EMULATOR PROGRAM SCENARIO MARKER EXPECTED...
# EMULATOR is empty for a native program, else the qemu-user command line (";"-separated, as
# CMAKE_CROSSCOMPILING_EMULATOR), whose gdbstub gdb-multiarch attaches to.
# --source loads a gdb script first (the cte extension), --init runs a gdb command before the
# program is loaded (auto-load settings); --show replaces `bt` with the given
# commands, whose output is printed and whose backtrace lines are checked the same way; the
# output must also contain every --expect-text TEXT.
set -uo pipefail
extra=() show=() texts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --source) extra+=(-ex "source $2"); shift 2 ;;
    --init) extra+=(-iex "$2"); shift 2 ;;
    --show) show+=(-ex "$2"); shift 2 ;;
    --expect-text) texts+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
[ ${#show[@]} -eq 0 ] && show=(-ex bt)
emulator=$1 program=$2 scenario=$3 marker=$4
shift 4
common=(-batch -nx -ex "set pagination off" -ex "set confirm off"
        -ex "handle SIGALRM nostop noprint pass" -ex "handle SIGUSR1 nostop noprint pass"
        -ex "handle SIGSEGV nostop noprint pass" "${extra[@]}")
if [ -z "$emulator" ]; then
  output=$(timeout 120 gdb "${common[@]}" -ex "break $marker" -ex run "${show[@]}" -ex kill --args "$program" "$scenario" 2>&1)
else
  IFS=';' read -r -a qemu <<<"$emulator"
  sysroot=""
  for ((i = 0; i < ${#qemu[@]}; i++)); do [ "${qemu[$i]}" = "-L" ] && sysroot=${qemu[$((i + 1))]}; done
  sysroot_args=()
  [ -n "$sysroot" ] && sysroot_args=(-ex "set sysroot $sysroot")
  port=$((20000 + RANDOM % 20000))
  case "${qemu[0]}" in
    *qemu-run)  # a board: qemu-system's gdbstub, the scenario built into the image
      "${qemu[0]}" --timeout 150 --gdb "$port" "${qemu[@]:1}" "$program" >/dev/null 2>&1 & ;;
    *)
      # gdb 13 cannot unwind through the SVE record of qemu-aarch64's signal frames ("Invalid
      # vector length in signal frame"): debug aarch64 programs on a CPU without SVE.
      case "${qemu[0]}" in *qemu-aarch64) qemu+=(-cpu max,sve=off) ;; esac
      "${qemu[@]}" -g "$port" "$program" "$scenario" >/dev/null 2>&1 & ;;
  esac
  qemu_pid=$!
  sleep 1
  output=$(timeout 120 gdb-multiarch "${common[@]}" ${sysroot_args[@]+"${sysroot_args[@]}"} -ex "file $program" \
           -ex "target remote localhost:$port" -ex "break $marker" -ex continue "${show[@]}" -ex kill 2>&1)
  kill "$qemu_pid" 2>/dev/null
  wait "$qemu_pid" 2>/dev/null
fi
backtrace=$(grep -E '^#[0-9]+ ' <<<"$output")
[ ${#texts[@]} -gt 0 ] && grep -v -E '^#[0-9]+ ' <<<"$output" | grep -E '^(cte|  )'
echo "$backtrace"
status=0
for text in "${texts[@]}"; do
  if ! grep -qF -- "$text" <<<"$output"; then
    echo "FAIL: '$text' missing from gdb's output:"; echo "$output" | tail -30
    status=1
  fi
done
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
