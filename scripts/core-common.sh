# Shared by make-core.sh and crash-core.sh (sourced, not run).

# take_args SCRIPT NODE WORKLOAD OUT_DIR: sets $node (an executable path), $workload (absolute) and
# $out (absolute, created).
take_args() {
  local me=$1
  node=$(command -v "$2" || echo "$2")
  [ -x "$node" ] || { echo "$me: node '$node' is not executable" >&2; exit 1; }
  mkdir -p "$4"
  out=$(cd "$4" && pwd)
  workload=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
}

# pick_method ELSEWHERE: sets $method to $COREWALK_CORE_METHOD, else "kernel" when the kernel
# writes cores as plain files in the working directory (core_pattern without a pipe, path or
# %-specifier), else ELSEWHERE; and $pattern to the core_pattern.
pick_method() {
  pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo '|')
  method=${COREWALK_CORE_METHOD:-}
  if [ -z "$method" ]; then
    case "$pattern" in
      '|'*|*/*|*%*) method=$1 ;;
      *) method=kernel ;;
    esac
  fi
}
