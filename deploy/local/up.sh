#!/usr/bin/env bash
# Starts this checkout's single-node Kafka (KRaft, broker + controller in one JVM) and its
# PostgreSQL + pgvector on 127.0.0.1, waits until both really answer, then creates the
# `tributary` database (TRIBUTARY_PG_DATABASE) and the topics, and applies the migrations (when
# the CLI is built).
#
# Idempotent: what already runs from this checkout is left alone, so running it again is the
# way to make sure everything is up. A port that something else holds is an error, never
# silently shared. Settings (environment, defaults in env.sh):
#   TRIBUTARY_KAFKA_PORT (29092)  TRIBUTARY_KAFKA_CONTROLLER_PORT (29093)  TRIBUTARY_PG_PORT (25432)
#   TRIBUTARY_TOPIC_PREFIX (tributary)  TRIBUTARY_TOPIC_PARTITIONS (6)  TRIBUTARY_PG_DATABASE (tributary)
#   TRIBUTARY_UP_TIMEOUT (90 s per service)  TRIBUTARY_KAFKA_HEAP (768m)
#   TRIBUTARY_BIN (<repo>/build/bin/tributary, runs `migrate`)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

# The topics of DESIGN.md §2, without the prefix.
readonly TOPICS=(
  fetch.requests documents items embedded source.events
  dlq.fetcher dlq.parser dlq.embedder dlq.loader dlq.scheduler
)
# `documents` carries fetched bodies up to the fetcher's 16 MiB cap plus the protobuf envelope
# (17 MiB); the broker-wide limit is a little higher still so the topic setting is what binds.
readonly DOCUMENTS_MAX_MESSAGE_BYTES=17825792
readonly BROKER_MESSAGE_MAX_BYTES=20971520

readonly KAFKA_PORT=$TRIBUTARY_KAFKA_PORT
readonly KAFKA_CONTROLLER_PORT=$TRIBUTARY_KAFKA_CONTROLLER_PORT
readonly PG_PORT=$TRIBUTARY_PG_PORT
readonly TOOL_CLIENT_CONFIG="$KAFKA_RUN_DIR/tools-client.properties"

validate_settings() {
  local name value
  for name in TRIBUTARY_KAFKA_PORT TRIBUTARY_KAFKA_CONTROLLER_PORT TRIBUTARY_PG_PORT; do
    value=${!name}
    if ! [[ $value =~ ^[1-9][0-9]{0,4}$ ]] || ((value > 65535)); then
      die "$name=$value is not a TCP port number"
    fi
  done
  [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" && $KAFKA_PORT != "$PG_PORT" && $KAFKA_CONTROLLER_PORT != "$PG_PORT" ]] ||
    die "TRIBUTARY_KAFKA_PORT ($KAFKA_PORT), TRIBUTARY_KAFKA_CONTROLLER_PORT ($KAFKA_CONTROLLER_PORT) and TRIBUTARY_PG_PORT ($PG_PORT) must differ"
  [[ $TRIBUTARY_TOPIC_PARTITIONS =~ ^[1-9][0-9]*$ ]] ||
    die "TRIBUTARY_TOPIC_PARTITIONS=$TRIBUTARY_TOPIC_PARTITIONS is not a positive number"
  [[ $TRIBUTARY_TOPIC_PREFIX =~ ^[A-Za-z0-9._-]+$ ]] ||
    die "TRIBUTARY_TOPIC_PREFIX=$TRIBUTARY_TOPIC_PREFIX has characters Kafka topic names cannot hold (allowed: letters, digits, . _ -)"
  [[ $PGDATABASE =~ ^[A-Za-z0-9_-]+$ ]] ||
    die "TRIBUTARY_PG_DATABASE=$PGDATABASE is not a plain database name (allowed: letters, digits, _ -)"
  [[ $UP_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "TRIBUTARY_UP_TIMEOUT=$UP_TIMEOUT is not a number of seconds"
  [[ -d $KAFKA_LIBS ]] || die "Kafka is not installed ($KAFKA_LIBS is missing): run $DEPLOY_DIR/install.sh"
  command -v java >/dev/null 2>&1 || die "java not found: run $DEPLOY_DIR/install.sh"
}

# ------------------------------------------------------------------------------ preflight
# Everything is checked before anything starts, so a taken port fails fast and leaves
# nothing half-started.
KAFKA_RUNNING_PID=""
KAFKA_STARTED_PID=""
PG_ALREADY_RUNNING=0
preflight() {
  KAFKA_RUNNING_PID=$(kafka_pid)
  if [[ -n $KAFKA_RUNNING_PID ]]; then
    local want="listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT" have
    have=$(grep -m1 '^listeners=' "$KAFKA_CONFIG" 2>/dev/null || true)
    [[ $have == "$want" ]] ||
      die "Kafka from this checkout already runs (pid $KAFKA_RUNNING_PID) with ${have:-an unknown config}, but the settings ask for $want; run $DEPLOY_DIR/down.sh first"
  else
    if [[ -s $KAFKA_PID_FILE ]]; then
      # Our broker died without down.sh (SIGKILL in a chaos test): its sockets close only
      # once the kernel has torn the process down.
      wait_port_released "$KAFKA_PORT"
      wait_port_released "$KAFKA_CONTROLLER_PORT"
    fi
    require_port_free "$KAFKA_PORT" TRIBUTARY_KAFKA_PORT
    require_port_free "$KAFKA_CONTROLLER_PORT" TRIBUTARY_KAFKA_CONTROLLER_PORT
  fi

  load_pg_location
  if pg_running; then
    PG_ALREADY_RUNNING=1
    local port
    port=$(pg_running_port)
    [[ $port == "$PG_PORT" ]] ||
      die "PostgreSQL from this checkout already runs on port ${port:-?}, but TRIBUTARY_PG_PORT=$PG_PORT; run $DEPLOY_DIR/down.sh first"
  else
    # Same for a postmaster that was killed: it left its postmaster.pid behind.
    if [[ -e $PG_DATA/postmaster.pid ]]; then
      wait_port_released "$PG_PORT"
    fi
    require_port_free "$PG_PORT" TRIBUTARY_PG_PORT
  fi
}

# Gives a port a few seconds to close. Only used when one of our own servers just died, so a
# port that another program holds is still reported without delay in every other case.
wait_port_released() {
  local deadline=$((SECONDS + 10))
  while port_answers "$1" && ((SECONDS < deadline)); do
    sleep 0.2
  done
}

# ------------------------------------------------------------------------------ Kafka
write_kafka_config() {
  mkdir -p "$KAFKA_RUN_DIR" "$KAFKA_DATA_DIR"
  # Rewritten at every start so a changed port setting takes effect. The quorum is static
  # (controller.quorum.voters) rather than formatted with --standalone, because a dynamic
  # quorum records the controller's address in the metadata log at format time, and a later
  # TRIBUTARY_KAFKA_CONTROLLER_PORT change would then strand the data.
  cat >"$KAFKA_CONFIG.new" <<EOF
# Written by deploy/local/up.sh at every start: edit up.sh, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA_DIR

# One broker: every internal topic has one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumer groups in tests should not sit out the default 3 s before the first rebalance.
group.initial.rebalance.delay.ms=0
# Topics exist because up.sh (or a test) created them, never because of a typo in a name.
auto.create.topics.enable=false
# Room for 16 MiB documents (the topic-level max.message.bytes of documents is lower).
message.max.bytes=$BROKER_MESSAGE_MAX_BYTES
# broker.session.timeout.ms stays at its 9 s default: after a SIGKILL the restarted broker
# waits out its old session before it registers again, but a shorter session would get the
# only broker fenced whenever a busy 2-core machine delays its heartbeats.
EOF
  mv "$KAFKA_CONFIG.new" "$KAFKA_CONFIG"

  # The tools give up after this instead of retrying for the default 60 s.
  cat >"$TOOL_CLIENT_CONFIG" <<EOF
request.timeout.ms=10000
default.api.timeout.ms=20000
EOF
}

# A Kafka cluster id is 16 random bytes in URL-safe base64 without padding; made here rather
# than with `kafka-storage random-uuid`, which would cost a JVM start. Kafka never hands out
# ids starting with '-' (they read as a flag), so neither do we.
new_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id == -* ]] || break
  done
  printf '%s\n' "$id"
}

start_kafka() {
  write_kafka_config
  if [[ ! -e $KAFKA_DATA_DIR/meta.properties ]]; then
    local cluster_id
    cluster_id=$(new_cluster_id)
    say "Kafka: formatting storage in $KAFKA_DATA_DIR (cluster id $cluster_id)"
    if ! java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
      "-Dlog4j2.configurationFile=$DEPLOY_DIR/kafka/log4j2-tools.xml" -cp "$KAFKA_LIBS/*" \
      kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$KAFKA_CONFIG" \
      >"$KAFKA_RUN_DIR/format.log" 2>&1; then
      show_log_tail "$KAFKA_RUN_DIR/format.log"
      die "formatting the Kafka storage failed (log: $KAFKA_RUN_DIR/format.log)"
    fi
  fi

  # Keep the previous run's log: after a crash it is the interesting one.
  [[ -e $KAFKA_LOG ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  local -a jvm=(
    -Xms256m "-Xmx${TRIBUTARY_KAFKA_HEAP:-768m}"
    # Kafka's own defaults (kafka-run-class.sh).
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$DEPLOY_DIR/kafka/log4j2-broker.xml"
    "-Dkafka.logs.dir=$KAFKA_RUN_DIR"
  )
  # setsid: the broker gets its own session, so neither a Ctrl-C in this terminal nor a test
  # harness that kills this script's process group takes it down; nohup covers a closed
  # terminal. Without job control, the background job is not a group leader, so setsid
  # execs in place and $! is the JVM's pid.
  # 9>&- : the broker must not inherit (and so hold) the up.sh/down.sh lock.
  setsid nohup java "${jvm[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONFIG" \
    >>"$KAFKA_LOG" 2>&1 </dev/null 9>&- &
  printf '%s\n' "$!" >"$KAFKA_PID_FILE"
  KAFKA_STARTED_PID=$!
  say "Kafka: starting broker (pid $KAFKA_STARTED_PID), log $KAFKA_LOG"
}

kafka_fail() {
  show_log_tail "$KAFKA_LOG"
  die "$1 (log: $KAFKA_LOG; stop what runs with $DEPLOY_DIR/down.sh)"
}

# Lists topics with the real tool, so "ready" means the broker serves metadata requests, not
# merely that its port is open. The first successful listing also records the tool classes
# in a class-data-sharing archive that makes every later tool start about twice as fast.
list_topics() {
  local cds_tmp="" out rc=0
  local -a env=()
  if [[ ! -e $KAFKA_TOOLS_CDS ]]; then
    cds_tmp="$KAFKA_TOOLS_CDS.$$.tmp"
    env=("TRIBUTARY_KAFKA_TOOL_OPTS=-XX:ArchiveClassesAtExit=$cds_tmp")
  fi
  out=$(env "${env[@]}" timeout 40 "$DEPLOY_DIR/bin/kafka-topics" --bootstrap-server "$TRIBUTARY_KAFKA_BROKERS" \
    --command-config "$TOOL_CLIENT_CONFIG" --list 2>"$KAFKA_RUN_DIR/tools.err") || rc=$?
  if [[ -n $cds_tmp ]]; then
    if ((rc == 0)) && [[ -s $cds_tmp ]]; then mv -f "$cds_tmp" "$KAFKA_TOOLS_CDS"; else rm -f "$cds_tmp"; fi
  fi
  ((rc == 0)) || return "$rc"
  # Topic names are [A-Za-z0-9._-]; anything else on stdout is JVM chatter.
  grep -E '^[A-Za-z0-9._-]+$' <<<"$out" || true
}

EXISTING_TOPICS=""
wait_for_kafka() {
  local pid=$1 deadline=$((SECONDS + UP_TIMEOUT)) exited="Kafka exited during start-up"
  # A broker found running may have been on its way out (stopping, or killed a moment ago).
  [[ -n $KAFKA_RUNNING_PID ]] &&
    exited="the running Kafka (pid $pid) exited meanwhile; run $DEPLOY_DIR/up.sh again to start it"
  until port_answers "$KAFKA_PORT"; do
    _is_our_broker "$pid" || kafka_fail "$exited"
    ((SECONDS < deadline)) || kafka_fail "Kafka did not open 127.0.0.1:$KAFKA_PORT within $UP_TIMEOUT s (TRIBUTARY_UP_TIMEOUT)"
    sleep 0.2
  done
  until EXISTING_TOPICS=$(list_topics); do
    _is_our_broker "$pid" || kafka_fail "$exited"
    if ((SECONDS >= deadline)); then
      show_log_tail "$KAFKA_RUN_DIR/tools.err" 10
      kafka_fail "Kafka on 127.0.0.1:$KAFKA_PORT did not answer a topic listing within $UP_TIMEOUT s (TRIBUTARY_UP_TIMEOUT)"
    fi
    sleep 1
  done
}

# Creates the missing topics. TopicCommand creates one topic per JVM, so they are created
# in parallel; with the CDS archive each JVM needs ~0.5 s of CPU.
create_topics() {
  local -a missing=() pids=()
  local name topic
  for name in "${TOPICS[@]}"; do
    topic="$TRIBUTARY_TOPIC_PREFIX.$name"
    grep -qxF -- "$topic" <<<"$EXISTING_TOPICS" || missing+=("$topic")
  done
  if ((${#missing[@]} == 0)); then
    say "Kafka: all ${#TOPICS[@]} topics exist (prefix $TRIBUTARY_TOPIC_PREFIX)"
    return 0
  fi
  local out_dir="$KAFKA_RUN_DIR/create-topics"
  rm -rf "$out_dir"
  mkdir -p "$out_dir"
  for topic in "${missing[@]}"; do
    local -a extra=()
    [[ $topic == "$TRIBUTARY_TOPIC_PREFIX.documents" ]] &&
      extra=(--config "max.message.bytes=$DOCUMENTS_MAX_MESSAGE_BYTES")
    timeout 60 "$DEPLOY_DIR/bin/kafka-topics" --bootstrap-server "$TRIBUTARY_KAFKA_BROKERS" \
      --command-config "$TOOL_CLIENT_CONFIG" --create --if-not-exists --topic "$topic" \
      --partitions "$TRIBUTARY_TOPIC_PARTITIONS" --replication-factor 1 "${extra[@]}" \
      >"$out_dir/$topic.log" 2>&1 &
    pids+=($!)
  done
  local i failed=0
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      failed=1
      show_log_tail "$out_dir/${missing[$i]}.log" 10
    fi
  done
  ((failed == 0)) || kafka_fail "creating topics failed (see above)"
  say "Kafka: created ${#missing[@]} topics (${missing[*]}) with $TRIBUTARY_TOPIC_PARTITIONS partitions"
}

# ------------------------------------------------------------------------------ PostgreSQL
pg_fail() {
  show_log_tail "$PG_LOG"
  die "$1 (log: $PG_LOG; stop what runs with $DEPLOY_DIR/down.sh)"
}

ensure_pg_dirs() {
  local dir mode
  for dir in "$PG_DATA" "$PG_LOG_DIR" "$PG_SOCKET_DIR"; do
    mode=755
    [[ $dir == "$PG_DATA" ]] && mode=700
    if [[ -n $PG_OS_USER && $EUID -eq 0 ]]; then
      install -d -m "$mode" -o "$PG_OS_USER" -g "$PG_OS_USER" "$dir"
    else
      install -d -m "$mode" "$dir"
    fi
  done
}

write_pg_config() {
  # A unix socket path must fit in 107 bytes; a deep checkout could exceed that, and then
  # the cluster simply serves TCP only (everything here connects to 127.0.0.1 anyway).
  local sockets=$PG_SOCKET_DIR
  if ((${#PG_SOCKET_DIR} + 20 > 107)); then
    warn "PostgreSQL: $PG_SOCKET_DIR is too long for a unix socket; serving TCP only"
    sockets=""
  fi
  # Rewritten at every start so a changed TRIBUTARY_PG_PORT takes effect; included at the
  # end of postgresql.conf, so these settings win over initdb's.
  write_pg_file "$PG_DATA/tributary.conf" <<EOF
# Written by deploy/local/up.sh at every start: edit up.sh, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sockets'
max_connections = 200
shared_buffers = 256MB
fsync = on
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
# bench/pipeline measures fetch-to-row latency to the commit (pg_xact_commit_timestamp).
track_commit_timestamp = on
EOF
  # Trust, but only over loopback and the socket inside the PostgreSQL area.
  write_pg_file "$PG_DATA/pg_hba.conf" <<'EOF'
# Written by deploy/local/up.sh: no passwords, loopback only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
EOF
}

# A postmaster that was killed (a chaos test, the OOM killer) leaves postmaster.pid and the
# socket's lock file behind, naming its pid. PostgreSQL refuses to start while that pid still
# exists, and a SIGKILLed process stays a zombie until some init reaps it, which here can
# take seconds. Once no process works in the data directory any more (the orphaned children
# exit when they notice the postmaster is gone), both files are stale and are removed.
clear_stale_pg_locks() {
  local -a locks=()
  [[ -e $PG_DATA/postmaster.pid ]] && locks+=("$PG_DATA/postmaster.pid")
  [[ -e $PG_SOCKET_DIR/.s.PGSQL.$PG_PORT.lock ]] && locks+=("$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT.lock")
  ((${#locks[@]} > 0)) || return 0
  local deadline=$((SECONDS + 30)) left
  while left=$(pg_processes) && [[ -n $left ]]; do
    ((SECONDS < deadline)) ||
      die "processes of an earlier PostgreSQL still run in $PG_DATA (pids $left); stop them first"
    sleep 0.2
  done
  warn "PostgreSQL: removing stale lock files of a server that did not shut down cleanly: ${locks[*]}"
  rm -f -- "${locks[@]}"
}

start_postgres() {
  ensure_pg_dirs
  if [[ ! -e $PG_DATA/PG_VERSION ]]; then
    say "PostgreSQL: creating the cluster in $PG_DATA"
    if ! as_pg_user "$PG_BIN/initdb" --pgdata="$PG_DATA" --username=tributary --auth=trust \
      --encoding=UTF8 --locale=C >"$PG_LOG_DIR/initdb.log" 2>&1; then
      show_log_tail "$PG_LOG_DIR/initdb.log"
      die "initdb failed (log: $PG_LOG_DIR/initdb.log)"
    fi
    printf '\n# deploy/local/up.sh settings (port, memory, sockets):\ninclude_if_exists = '"'tributary.conf'"'\n' \
      >>"$PG_DATA/postgresql.conf"
  fi
  write_pg_config
  clear_stale_pg_locks
  say "PostgreSQL: starting on 127.0.0.1:$PG_PORT, log $PG_LOG"
  # 9>&- : the server must not inherit (and so hold) the up.sh/down.sh lock.
  as_pg_user "$PG_BIN/pg_ctl" start --pgdata="$PG_DATA" --log="$PG_LOG" --wait \
    --timeout="$UP_TIMEOUT" --silent 9>&- ||
    pg_fail "PostgreSQL did not start (pg_ctl start failed, or gave up after $UP_TIMEOUT s: TRIBUTARY_UP_TIMEOUT)"
}

psql_local() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U tributary "$@"
}

wait_for_postgres() {
  local deadline=$((SECONDS + UP_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 &&
    [[ $(psql_local -d postgres -tAc 'SELECT 1' 2>/dev/null) == 1 ]]; do
    pg_running || pg_fail "PostgreSQL is not running (it stopped, or was killed)"
    ((SECONDS < deadline)) ||
      pg_fail "PostgreSQL on 127.0.0.1:$PG_PORT did not answer SELECT 1 within $UP_TIMEOUT s (TRIBUTARY_UP_TIMEOUT)"
    sleep 0.3
  done
}

create_database() {
  if [[ $(psql_local -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'") == 1 ]]; then
    return 0
  fi
  psql_local -d postgres -c "CREATE DATABASE \"$PGDATABASE\"" || pg_fail "CREATE DATABASE $PGDATABASE failed"
  say "PostgreSQL: created database $PGDATABASE"
}

run_migrations() {
  local bin=${TRIBUTARY_BIN:-$TRIBUTARY_REPO_DIR/build/bin/tributary}
  if [[ ! -x $bin ]]; then
    warn "migrations were NOT applied: $bin is not built. Build it, then run up.sh again (or '$bin migrate' with env.sh sourced)."
    return 0
  fi
  say "PostgreSQL: applying migrations with $bin migrate"
  "$bin" migrate ||
    die "'$bin migrate' failed (see above); Kafka and PostgreSQL are up, fix the migration and run up.sh again"
}

# ------------------------------------------------------------------------------ main
main() {
  local t0 t
  t0=$(now_ms)
  validate_settings
  mkdir -p "$TRIBUTARY_LOCAL_DIR/run"
  # One up.sh/down.sh at a time per checkout (parallel test jobs may all call up.sh).
  exec 9>"$TRIBUTARY_LOCAL_DIR/run/lock"
  flock -w 300 9 || die "another up.sh/down.sh of this checkout holds $TRIBUTARY_LOCAL_DIR/run/lock"

  preflight

  # Kafka's JVM starts in the background and comes up while PostgreSQL starts.
  local kafka_pid_now=$KAFKA_RUNNING_PID
  if [[ -n $kafka_pid_now ]]; then
    say "Kafka: already running from this checkout (pid $kafka_pid_now) on $TRIBUTARY_KAFKA_BROKERS"
  else
    start_kafka
    kafka_pid_now=$KAFKA_STARTED_PID
  fi

  t=$(now_ms)
  if ((PG_ALREADY_RUNNING)); then
    say "PostgreSQL: already running from this checkout on 127.0.0.1:$PG_PORT"
  else
    start_postgres
  fi
  wait_for_postgres
  create_database
  say "PostgreSQL: ready in $(since "$t") s"

  t=$(now_ms)
  wait_for_kafka "$kafka_pid_now"
  say "Kafka: answering on $TRIBUTARY_KAFKA_BROKERS (waited $(since "$t") s more for it)"
  create_topics

  # Last, so a failing migration still leaves both services up and the topics made.
  run_migrations

  say "up in $(since "$t0") s. Kafka $TRIBUTARY_KAFKA_BROKERS (log $KAFKA_LOG), PostgreSQL $TRIBUTARY_PG_DSN (log $PG_LOG)"
  say "for the settings in your shell: source $DEPLOY_DIR/env.sh"
}

main "$@"
