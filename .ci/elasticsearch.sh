#!/usr/bin/env bash
# A throwaway single-node Elasticsearch 8 for CI and for developers, embedded from Maven Central artifacts
# (.ci/elasticsearch/: org.elasticsearch:elasticsearch + the transport-netty4 module + two small modules of ours
# for what Elastic does not publish: the analysis Wagtail needs, and GET /; see RunNode.java).
#
#   bash .ci/elasticsearch.sh start PORT DATADIR  builds if needed, starts the node on 127.0.0.1:PORT in the
#                                                background (pid in DATADIR/pid, log in DATADIR/node.log), waits
#                                                until it prints READY (cluster green or yellow), prints the version
#   bash .ci/elasticsearch.sh stop DATADIR        stops the node started with that DATADIR and waits for it to exit
#   bash .ci/elasticsearch.sh status DATADIR      exit 0 if that node is running
#   bash .ci/elasticsearch.sh build               only builds (downloads the artifacts into ~/.m2 on the first run)
#
# DATADIR: a throwaway directory (created if missing); the node keeps its home, data and logs in DATADIR/node.
# The cluster is "ecab-ci", single-node, no x-pack: plain HTTP without authentication, bound to 127.0.0.1 only.
# No painless scripts, no mapper-extras field types (not on Maven Central either).
# Environment: ELASTICSEARCH_JAVA_HOME (a Java 17+ JDK; default: Java 17 from /usr/lib/jvm, else the oldest
# Java 17+ there), ELASTICSEARCH_HEAP (default 1g), ELASTICSEARCH_JAVA_OPTS (more JVM options),
# ELASTICSEARCH_START_TIMEOUT (seconds, default 180), ELASTICSEARCH_TRANSPORT_PORTS (default 9300-9400: the first
# free one is taken), ELASTICSEARCH_MAVEN_ARGS (more Maven arguments, e.g. -Dmaven.repo.local=...).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PRODUCT=Elasticsearch
ENV_PREFIX=ELASTICSEARCH
PROJECT="$HERE/elasticsearch"
MAIN_CLASS=ua.ecab.ci.RunNode
DOWNLOAD="~45 MB"
# RunNode's classpath, the module transport-netty4's jars and our modules' jar (see pom.xml).
BUILD_OUTPUTS=(
    "$PROJECT/target/classpath.txt"
    "$PROJECT/target/modules/transport-netty4.txt"
    "$PROJECT/target/classes/ua/ecab/ci/RunNode.class"
    "$PROJECT/target/modules/ecab/ecab-ci-elasticsearch-1.0.0-modules.jar"
)
# As Elasticsearch's own jvm.options: Log4j must not stop before the node has logged its shutdown.
EXTRA_JVM_OPTS=(-Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true)

# shellcheck source=.ci/search_node.sh
source "$HERE/search_node.sh"

# Elasticsearch 8.19 is compiled for Java 17 and runs on 17 or newer; Java 17 is preferred (the newest JDKs
# are the least tested with it), then the oldest newer one.
find_java() {
    if [[ -n "${ELASTICSEARCH_JAVA_HOME:-}" ]]; then
        java_ok "$ELASTICSEARCH_JAVA_HOME" 17 || die "ELASTICSEARCH_JAVA_HOME=$ELASTICSEARCH_JAVA_HOME is not a Java 17+ JDK"
        echo "$ELASTICSEARCH_JAVA_HOME"
        return 0
    fi
    local dir
    for dir in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/temurin-17-jdk-amd64; do
        java_ok "$dir" 17 && { echo "$dir"; return 0; }
    done
    # else the oldest Java 17+ JDK in /usr/lib/jvm, else $JAVA_HOME
    local sorted
    sorted=$(for dir in /usr/lib/jvm/*; do
        if [[ -x "$dir/bin/java" ]]; then printf '%s %s\n' "$(java_feature "$dir")" "$dir"; fi
    done | sort -n -k1,1 | cut -d' ' -f2-)
    while IFS= read -r dir; do
        [[ -n "$dir" ]] && java_ok "$dir" 17 && { echo "$dir"; return 0; }
    done <<<"$sorted"
    [[ -n "${JAVA_HOME:-}" ]] && java_ok "$JAVA_HOME" 17 && { echo "$JAVA_HOME"; return 0; }
    die "no Java 17+ JDK found in /usr/lib/jvm: Elasticsearch 8 needs one; set ELASTICSEARCH_JAVA_HOME"
}

search_node_main "$@"
