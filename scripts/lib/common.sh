# shellcheck shell=bash
# Shared helpers for Flywheel's shell tooling. Source it, don't run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# It sets REPO_ROOT and defines log/die/wait_for/flywheel_find_jdk. It does not
# change shell options: every script sets `set -euo pipefail` itself.

if [[ -n "${FLYWHEEL_COMMON_SH_LOADED:-}" ]]; then
  return 0
fi
FLYWHEEL_COMMON_SH_LOADED=1

# Resolve from this file rather than from git, so a tarball or a CI clone in
# any folder works the same.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export REPO_ROOT

# mosquitto lives in /usr/sbin, which a non-login or non-root PATH may lack;
# moto_server/cfn-lint are pip-installed under pyenv on these machines, whose
# shims a bare CI environment may not have on PATH.
for _flywheel_dir in /usr/sbin /sbin "${PYENV_ROOT:-${HOME:-/root}/.pyenv}/shims"; do
  if [[ -d "$_flywheel_dir" && ":$PATH:" != *":$_flywheel_dir:"* ]]; then
    PATH="$PATH:$_flywheel_dir"
  fi
done
unset _flywheel_dir
export PATH

# log MESSAGE...: timestamped line on stderr, so stdout stays clean for data
# (e.g. `scripts/devnet env` output that callers eval).
log() {
  printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${FLYWHEEL_LOG_TAG:-flywheel}" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# _flywheel_java_major JAVA_HOME_DIR -> prints the feature version (17, 21, 25)
# or nothing. Reads the `release` file first (no JVM start), falls back to
# asking the java binary.
_flywheel_java_major() {
  local home="$1" ver=""
  [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 0
  if [[ -r "$home/release" ]]; then
    ver="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n1)"
  fi
  if [[ -z "$ver" ]]; then
    ver="$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
  fi
  ver="${ver#1.}" # 1.8 -> 8
  ver="${ver%%[.+-]*}"
  [[ "$ver" =~ ^[0-9]+$ ]] && printf '%s\n' "$ver"
  return 0
}

# flywheel_find_jdk: the build targets release 21 and the machine's default
# `java` is 17, so pick a JDK >= 21: $JAVA_HOME if it qualifies, else the
# newest under /usr/lib/jvm. Exports JAVA_HOME and puts its bin first on PATH.
flywheel_find_jdk() {
  local min=21 candidate major best="" best_major=0
  if [[ -n "${JAVA_HOME:-}" ]]; then
    major="$(_flywheel_java_major "$JAVA_HOME")"
    if [[ -n "$major" && "$major" -ge "$min" ]]; then
      best="$JAVA_HOME"
      best_major="$major"
    else
      log "JAVA_HOME=$JAVA_HOME is not a JDK $min+ (found '${major:-none}'); looking in /usr/lib/jvm"
    fi
  fi
  if [[ -z "$best" ]]; then
    for candidate in /usr/lib/jvm/*; do
      [[ -d "$candidate" ]] || continue
      major="$(_flywheel_java_major "$candidate")"
      if [[ -n "$major" && "$major" -ge "$min" && "$major" -gt "$best_major" ]]; then
        best="$candidate"
        best_major="$major"
      fi
    done
  fi
  if [[ -z "$best" ]]; then
    die "Flywheel needs a JDK $min+; found none: install temurin-$min or set JAVA_HOME"
  fi
  JAVA_HOME="$(cd "$best" && pwd -P)"
  export JAVA_HOME
  case ":$PATH:" in
    "$JAVA_HOME/bin:"*) ;;
    *) PATH="$JAVA_HOME/bin:$PATH" ;;
  esac
  export PATH
  FLYWHEEL_JAVA_MAJOR="$best_major"
  export FLYWHEEL_JAVA_MAJOR
}

# pid_alive PID: running and not a zombie. An exited daemon stays a zombie
# until init reaps it, which on these machines can take a couple of seconds.
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)"
  [[ "$state" != Z && "$state" != X ]]
}

# wait_for DESC TIMEOUT_SECONDS LOGFILE PID -- CMD [ARGS...]
# Polls CMD (quietly) until it succeeds. Fails early if PID (may be empty)
# dies, and on failure prints the tail of LOGFILE, since "timed out" alone
# never says why a server did not come up. Returns 1 on failure.
wait_for() {
  local desc="$1" timeout="$2" logfile="$3" pid="$4"
  shift 4
  [[ "${1:-}" == "--" ]] && shift
  local deadline=$((SECONDS + timeout)) reason=""
  while :; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      reason="process $pid exited"
      break
    fi
    if ((SECONDS >= deadline)); then
      reason="not healthy after ${timeout}s"
      break
    fi
    sleep 0.25
  done
  log "$desc: $reason; last lines of $logfile:"
  if [[ -r "$logfile" ]]; then
    tail -n 40 "$logfile" | sed 's/^/    | /' >&2
  else
    log "    (no log file)"
  fi
  return 1
}
