package ua.ecab.ci;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.Build;
import org.opensearch.Version;
import org.opensearch.cluster.health.ClusterHealthStatus;

/**
 * A throwaway single-node OpenSearch for CI (started and stopped by .ci/opensearch.sh).
 *
 * <pre>
 *   java -Xms512m -Xmx1g -cp target/classes:$(cat target/classpath.txt) ua.ecab.ci.RunNode PORT BASEDIR [TRANSPORT_PORTS]
 * </pre>
 *
 * PORT: HTTP port, bound to 127.0.0.1 only. BASEDIR: an empty or throwaway directory for
 * the node's home, config, data and logs. TRANSPORT_PORTS: the transport port or range (default 9300-9400; the
 * first free one is taken). Cluster "ecab-ci", discovery.type=single-node, no security plugin (plain HTTP, no
 * authentication), disk watermarks off. Modules: those on the classpath (see pom.xml) plus the ICU analysis
 * plugin when its jar is there. Prints "READY ..." once the cluster is yellow or green, then runs until it is killed (SIGTERM closes
 * the node cleanly).
 */
public final class RunNode {

    private static final String ICU_PLUGIN = "org.opensearch.plugin.analysis.icu.AnalysisICUPlugin";

    private RunNode() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RunNode PORT BASEDIR [TRANSPORT_PORTS]");
            System.exit(2);
        }
        final int httpPort = Integer.parseInt(args[0].trim());
        final Path basePath = Paths.get(args[1]).toAbsolutePath();
        final String transportPorts = args.length > 2 ? args[2] : "9300-9400";
        Files.createDirectories(basePath);

        // The ICU plugin is loaded when its jar is on the classpath (org.opensearch.plugin:analysis-icu-client).
        String pluginTypes = "";
        try {
            Class.forName(ICU_PLUGIN, false, RunNode.class.getClassLoader());
            pluginTypes = ICU_PLUGIN;
        } catch (final ClassNotFoundException e) {
            System.out.println("analysis-icu is not on the classpath: running without it");
        }

        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1); // the port is set below; no probing of a port range
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("Closing the node failed: " + e);
            }
        }, "ecab-ci-shutdown"));

        final ClusterHealthStatus status;
        try {
            start(runner, httpPort, basePath, transportPorts, pluginTypes);
            status = runner.ensureYellow();
        } catch (final Throwable e) {
            System.err.println("FAILED to start the node: " + e);
            e.printStackTrace();
            System.exit(1); // runs the shutdown hook, which closes whatever was started
            return;
        }
        System.out.println("READY opensearch " + Version.CURRENT + " (" + Build.CURRENT.getQualifiedVersion()
                + ") cluster=ecab-ci status=" + status + " http=127.0.0.1:" + httpPort + " java="
                + Runtime.version() + " base=" + basePath);
        System.out.flush();

        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }

    private static void start(final OpenSearchRunner runner, final int httpPort, final Path basePath,
            final String transportPorts, final String pluginTypes) {
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", String.valueOf(httpPort));
            settings.put("transport.port", transportPorts);
            settings.put("discovery.type", "single-node");
            // CI disks may be nearly full: never let the watermarks turn the cluster read-only or red.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", true);
        }).build(OpenSearchRunner.newConfigs()
                .basePath(basePath.toString())
                .numOfNode(1)
                .baseHttpPort(httpPort - 1) // only for the runner's "HTTP Port:" line: node N gets base + N
                .clusterName("ecab-ci")
                .pluginTypes(pluginTypes));
    }
}
