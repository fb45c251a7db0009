# What .ci/opensearch.sh and .ci/elasticsearch.sh share: build a Maven project that embeds a search engine node,
# start the node in the background, wait until it is ready, stop it. Sourced, not run. The sourcing script sets
#   PRODUCT        the engine's name in messages ("OpenSearch")
#   ENV_PREFIX     its environment variables' prefix ("OPENSEARCH": OPENSEARCH_HEAP, _JAVA_OPTS, _JAVA_HOME,
#                  _START_TIMEOUT, _TRANSPORT_PORTS, _MAVEN_ARGS)
#   PROJECT        the Maven project's directory; MAIN_CLASS the node's main class (RunNode PORT BASEDIR PORTS)
#   DOWNLOAD       what the first build downloads ("~120 MB"), for its message
#   BUILD_OUTPUTS  the files a build makes, besides the jars they list (*.txt: classpaths); all must be newer
#                  than the pom and the Java sources for the build to count as up to date
#   EXTRA_JVM_OPTS more JVM options (an array; may be empty)
# and defines find_java (prints the JDK to build and run with, or dies), then calls search_node_main "$@".

TARGET="$PROJECT/target"
SCRIPT_NAME=$(basename "$0")

log() { printf '[%s %s] %s\n' "$SCRIPT_NAME" "$(date '+%H:%M:%S')" "$*"; }
die() {
    printf '[%s] ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2
    exit 1
}

usage() {  # the sourcing script's header, from its second line to the one on DATADIR
    sed -n '2,/^# DATADIR/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

env_value() {  # env_value NAME DEFAULT: $<ENV_PREFIX>_NAME, or DEFAULT
    local name="${ENV_PREFIX}_$1"
    printf '%s' "${!name:-$2}"
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

java_ok() {  # java_ok DIR MIN: a JDK (java and javac) of Java MIN or newer
    [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] || return 1
    local v
    v=$(java_feature "$1")
    [[ -n "$v" && "$v" =~ ^[0-9]+$ && "$v" -ge "$2" ]]
}

# Up to date when the build's outputs and every jar they list are there, and the outputs are newer than the
# pom and the Java sources.
is_built() {
    local output src
    for output in "${BUILD_OUTPUTS[@]}"; do
        [[ -s "$output" && "$output" -nt "$PROJECT/pom.xml" ]] || return 1
        for src in "$PROJECT"/src/main/java/ua/ecab/ci/*.java; do
            [[ "$output" -nt "$src" ]] || return 1
        done
        if [[ "$output" == *.txt ]]; then
            local IFS=: jar
            for jar in $(<"$output"); do
                [[ -z "$jar" || -f "$jar" ]] || return 1
            done
        fi
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
    [[ -n "$logfile" ]] || logfile=$(mktemp "${TMPDIR:-/tmp}/ecab-${SCRIPT_NAME%.sh}-build.XXXXXX.log")
    log "building $PROJECT with Maven (JDK $java_home; the first run downloads $DOWNLOAD into ~/.m2)"
    local attempt maven_args
    maven_args=$(env_value MAVEN_ARGS "")
    for attempt in 1 2; do
        # shellcheck disable=SC2086  # the Maven arguments are a list of words
        if JAVA_HOME="$java_home" mvn -B -q -f "$PROJECT/pom.xml" $maven_args package >"$logfile" 2>&1; then
            # Maven may leave an unchanged output untouched: mark them as fresh.
            touch "${BUILD_OUTPUTS[@]}" 2>/dev/null || true
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
    local heap
    heap=$(env_value HEAP 1g)
    local cp
    cp="$TARGET/classes:$(<"$TARGET/classpath.txt")"
    local jvm_opts=(
        "-Xms512m" "-Xmx$heap"
        -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError
        -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$datadir/tmp"
        --enable-native-access=ALL-UNNAMED # Lucene's native calls (Java 21+ warns otherwise)
        "${EXTRA_JVM_OPTS[@]}"
    )
    # shellcheck disable=SC2207  # <PREFIX>_JAVA_OPTS is a list of words
    jvm_opts+=($(env_value JAVA_OPTS ""))
    log "starting $PRODUCT on 127.0.0.1:$port (JDK $java_home, heap $heap, data in $datadir/node)"
    rm -f "$datadir/node.log" # an earlier run's READY line must not count
    (
        cd "$datadir"
        exec "$java_home/bin/java" "${jvm_opts[@]}" -cp "$cp" "$MAIN_CLASS" \
            "$port" "$datadir/node" "$(env_value TRANSPORT_PORTS 9300-9400)" </dev/null >"$datadir/node.log" 2>&1
    ) &
    pid=$!
    echo "$pid" >"$datadir/pid"

    local timeout status=""
    timeout=$(env_value START_TIMEOUT 180)
    local deadline=$((SECONDS + timeout))
    while [[ $SECONDS -lt $deadline ]]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "---- $datadir/node.log (last 60 lines) ----" >&2
            tail -n 60 "$datadir/node.log" >&2 || true
            rm -f "$datadir/pid"
            die "the node exited during start-up"
        fi
        # RunNode prints "READY ..." once the cluster is yellow or green (OpenSearch logs its output as a line of
        # the "stdout" logger).
        if grep -qE '(^|\] )READY ' "$datadir/node.log" 2>/dev/null; then
            status=$(health_status "$port")
            [[ "$status" == green || "$status" == yellow ]] && break
        fi
        sleep 0.5
    done
    if [[ "$status" != green && "$status" != yellow ]]; then
        echo "---- $datadir/node.log (last 60 lines) ----" >&2
        tail -n 60 "$datadir/node.log" >&2 || true
        stop_node "$datadir" >&2
        die "the node was not READY, green or yellow after ${timeout}s (last status: ${status:-no answer})"
    fi
    local version
    version=$({ curl -s -m 5 "http://127.0.0.1:$port/" || true; } | sed -n 's/^ *"number" *: *"\([^"]*\)".*/\1/p' | head -1)
    local rss_kb
    rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    log "$PRODUCT ${version:-?} is $status on http://127.0.0.1:$port (pid $pid, ready in $((SECONDS - started))s, RSS $((rss_kb / 1024)) MiB)"
}

search_node_main() {
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
            local pid
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
}
