package ua.ecab.ci;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.cluster.health.ClusterHealthStatus;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

/**
 * A throwaway single-node Elasticsearch for CI (started and stopped by .ci/elasticsearch.sh).
 *
 * <pre>
 *   java -Xms512m -Xmx1g -cp target/classes:$(cat target/classpath.txt) ua.ecab.ci.RunNode PORT BASEDIR [TRANSPORT_PORTS]
 * </pre>
 *
 * PORT: HTTP port, bound to 127.0.0.1 only. BASEDIR: an empty or throwaway directory for
 * the node's home, config, data and logs. TRANSPORT_PORTS: the transport port or range (default 9300-9400; the
 * first free one is taken). Cluster "ecab-ci", discovery.type=single-node, no x-pack (plain HTTP, no
 * authentication), disk watermarks off. Prints "READY ..." once the cluster is yellow or green, then runs until
 * it is killed (SIGTERM closes the node cleanly).
 *
 * <p>There is no runner library for Elasticsearch 8, so the node is built here the way the distribution does it,
 * minus the launcher: a home directory with one directory per module under modules/, an Environment, a
 * PluginsLoader for those modules, and org.elasticsearch.node.Node. The modules:
 * <ul>
 * <li>transport-netty4: HTTP and transport (org.elasticsearch.plugin:transport-netty4 from Maven Central);</li>
 * <li>ecab-wagtail-analysis: {@code WagtailAnalysisPlugin}, the analysis components Wagtail's index settings use
 * (a full Elasticsearch has them in its analysis-common module, which is not published on Maven Central);</li>
 * <li>ecab-rest-root: {@code RestRootPlugin}, {@code GET /} (likewise instead of the rest-root module).</li>
 * </ul>
 * Elasticsearch loads each module with its own class loader and rejects module classes that are also on the JVM
 * classpath, so the module jars are not on it: the build lists the transport-netty4 jars in
 * target/modules/transport-netty4.txt and puts our plugins in target/modules/ecab/*.jar (see pom.xml); this class
 * links them, with a plugin-descriptor.properties, into BASEDIR/modules/NAME/. target/modules can be moved with
 * the system property ecab.ci.modules (default: next to this class's target/classes).
 */
public final class RunNode {

    private static final String CLUSTER_NAME = "ecab-ci";

    private RunNode() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RunNode PORT BASEDIR [TRANSPORT_PORTS]");
            System.exit(2);
        }
        final int httpPort = Integer.parseInt(args[0].trim());
        final Path home = Paths.get(args[1]).toAbsolutePath();
        final String transportPorts = args.length > 2 ? args[2] : "9300-9400";

        configureLogging();
        final Node node;
        try {
            node = start(httpPort, home, transportPorts);
        } catch (final Throwable e) {
            System.err.println("FAILED to start the node: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        final Thread shutdown = new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (final Exception e) {
                System.err.println("Closing the node failed: " + e);
            }
        }, "ecab-ci-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        final ClusterHealthStatus status;
        try {
            status = waitForYellow(node);
        } catch (final Throwable e) {
            System.err.println("FAILED: the cluster did not become yellow: " + e);
            e.printStackTrace();
            System.exit(1); // runs the shutdown hook, which closes the node
            return;
        }
        System.out.println("READY elasticsearch " + Build.current().version() + " (" + Build.current().qualifiedVersion()
                + ", lucene " + org.apache.lucene.util.Version.LATEST + ") cluster=" + CLUSTER_NAME + " status=" + status
                + " http=127.0.0.1:" + httpPort + " java=" + Runtime.version() + " base=" + home);
        System.out.flush();

        while (!node.isClosed()) {
            Thread.sleep(1000);
        }
    }

    private static Node start(final int httpPort, final Path home, final String transportPorts) throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("plugins"));
        // Our plugin classes are named, not referenced: javac would compile them into target/classes.
        final Path built = builtModulesDir();
        final List<Path> ours = jarsIn(built.resolve("ecab"));
        writeModule(home, "transport-netty4", "org.elasticsearch.transport.netty4.Netty4Plugin",
                "Netty 4 based transport implementation", listedJars(built.resolve("transport-netty4.txt")));
        writeModule(home, "ecab-wagtail-analysis", "ua.ecab.ci.WagtailAnalysisPlugin",
                "ngram, edge_ngram, lowercase and asciifolding analysis for Wagtail", ours);
        writeModule(home, "ecab-rest-root", "ua.ecab.ci.RestRootPlugin", "GET / (name, cluster, version)", ours);

        final Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", CLUSTER_NAME)
                .put("node.name", CLUSTER_NAME + "-node")
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", String.valueOf(httpPort))
                .put("transport.port", transportPorts)
                // CI disks may be nearly full: never let the watermarks turn the cluster read-only or red.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", true)
                .build();
        final Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(),
                home.resolve("config"), () -> CLUSTER_NAME + "-node");
        // false: no qualified exports between named modules (everything runs from the classpath here).
        final PluginsLoader pluginsLoader = PluginsLoader.createPluginsLoader(
                PluginsLoader.loadModulesBundles(environment.modulesDir()), Set.of(), Map.of(), false);
        return new Node(environment, pluginsLoader).start();
    }

    /** The build's target/modules (see pom.xml): $ecab.ci.modules, else next to target/classes. */
    private static Path builtModulesDir() throws Exception {
        final String property = System.getProperty("ecab.ci.modules");
        if (property != null) {
            return Paths.get(property).toAbsolutePath();
        }
        final Path classes = Paths.get(RunNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return classes.resolveSibling("modules");
    }

    /** The jars of a classpath file (':'-separated, as maven-dependency-plugin writes it). */
    private static List<Path> listedJars(final Path classpathFile) throws IOException {
        final List<Path> jars = new ArrayList<>();
        for (final String jar : Files.readString(classpathFile, StandardCharsets.UTF_8).trim().split(File.pathSeparator)) {
            if (!jar.isBlank()) {
                jars.add(Paths.get(jar.trim()));
            }
        }
        return jars;
    }

    private static List<Path> jarsIn(final Path dir) throws IOException {
        final List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.jar")) {
            stream.forEach(jars::add);
        }
        return jars;
    }

    /**
     * BASEDIR/modules/NAME/: symbolic links to the module's jars and a plugin-descriptor.properties naming its
     * plugin class. Rewritten at every start.
     */
    private static void writeModule(final Path home, final String name, final String className,
            final String description, final List<Path> jars) throws IOException {
        if (jars.isEmpty()) {
            throw new IllegalStateException("no jars for the module " + name + ": run mvn package");
        }
        final Path dir = home.resolve("modules").resolve(name);
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir)) {
                for (final Path p : old) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        for (final Path jar : jars) {
            Files.createSymbolicLink(dir.resolve(jar.getFileName()), jar.toAbsolutePath());
        }
        final String descriptor = String.join("\n",
                "name=" + name,
                "description=" + description,
                "version=" + Build.current().version(),
                "elasticsearch.version=" + Build.current().version(),
                "java.version=17",
                "classname=" + className,
                "");
        Files.writeString(dir.resolve("plugin-descriptor.properties"), descriptor, StandardCharsets.UTF_8);
    }

    private static ClusterHealthStatus waitForYellow(final Node node) {
        final ClusterHealthResponse health = node.client().admin().cluster()
                .prepareHealth(TimeValue.timeValueMinutes(3))
                .setWaitForYellowStatus()
                .setTimeout(TimeValue.timeValueMinutes(3))
                .get();
        if (health.isTimedOut()) {
            throw new IllegalStateException("timed out waiting for yellow, status " + health.getStatus());
        }
        return health.getStatus();
    }

    /** Log4j 2 (which Elasticsearch logs through) at INFO to stdout, with a plain pattern. */
    private static void configureLogging() {
        final ConfigurationBuilder<BuiltConfiguration> builder = ConfigurationBuilderFactory.newConfigurationBuilder();
        builder.setStatusLevel(Level.ERROR);
        builder.add(builder.newAppender("stdout", "Console")
                .add(builder.newLayout("PatternLayout").addAttribute("pattern", "[%d{ISO8601}][%-5p][%c{1.}] %m%n")));
        builder.add(builder.newRootLogger(Level.INFO).add(builder.newAppenderRef("stdout")));
        // Deprecation warnings reach clients in response headers; the log need not repeat them.
        builder.add(builder.newLogger("org.elasticsearch.deprecation", Level.ERROR));
        Configurator.initialize(builder.build());
        LogConfigurator.configureESLogging();
    }
}
