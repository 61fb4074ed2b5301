package pcnet.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j 5.26 community DBMS that serves Bolt on a loopback address, for
 * pcnet development and CI (no Docker, no Neo4j tarball: everything comes from Maven Central).
 *
 * <p>Configuration comes from the environment (scripts/neo4j.sh sets it):
 * <ul>
 *   <li>PCNET_NEO4J_DATA: DBMS home directory, holding data/ and logs/ (default .neo4j/data)</li>
 *   <li>PCNET_NEO4J_HOST: Bolt listen address (default 127.0.0.1)</li>
 *   <li>PCNET_NEO4J_PORT: Bolt port (default 7687)</li>
 *   <li>NEO4J_PASSWORD: password of user neo4j, at least 8 characters (required)</li>
 *   <li>PCNET_NEO4J_PAGECACHE: page cache size, e.g. 256m (default 256m)</li>
 *   <li>PCNET_NEO4J_CONF: optional neo4j.conf-style file with extra settings</li>
 * </ul>
 *
 * <p>Prints "pcnet-neo4j: ready on bolt://HOST:PORT" only once the password is set, and shuts
 * the DBMS down cleanly on SIGTERM/SIGINT so the next start on the same data is fast and safe.
 */
public final class Launcher {
    private static final String PREFIX = "pcnet-neo4j: ";
    private static final String USER = "neo4j";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(env("PCNET_NEO4J_DATA", ".neo4j/data")).toAbsolutePath().normalize();
        String host = env("PCNET_NEO4J_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("PCNET_NEO4J_PORT", "7687"));
        long pageCache = ByteUnit.parse(env("PCNET_NEO4J_PAGECACHE", "256m"));
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            fail("NEO4J_PASSWORD must be set and at least 8 characters long (Neo4j's minimum)");
        }

        Files.createDirectories(home);
        log("starting Neo4j " + neo4jVersion() + " in " + home + " (page cache "
                + pageCache / ByteUnit.mebiBytes(1) + "m, max heap "
                + Runtime.getRuntime().maxMemory() / ByteUnit.mebiBytes(1) + "m)");
        long t0 = System.nanoTime();

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                // Bolt on loopback only; plain text (local use), HTTP(S) off.
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // On shutdown, after the databases are closed, Bolt waits 5 s for idle clients and
                // up to 5 s for its network event loops. 1 s each keeps `stop` at ~4 s instead of
                // ~11 s (debug.log then warns the event loops were "forcefully terminated":
                // harmless, the stores are already checkpointed and closed by then).
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Small footprint: bounded page cache, no usage reporting, small tx logs
                // that are not preallocated (fallocate would reserve 256 MiB per log file).
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files");
        String conf = System.getenv("PCNET_NEO4J_CONF");
        if (conf != null && !conf.isBlank()) {
            builder.loadPropertiesFromFile(Path.of(conf));
        }

        DatabaseManagementService dbms = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            try {
                dbms.shutdown();
                log("stopped cleanly");
            } catch (RuntimeException e) {
                log("error during shutdown: " + e);
            } finally {
                stopped.countDown();
            }
        }, "pcnet-neo4j-shutdown"));

        try {
            setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
            // Fail early if the default database did not come up.
            dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
                    .executeTransactionally("RETURN 1");
        } catch (RuntimeException e) {
            e.printStackTrace();
            fail("startup failed: " + e.getMessage());
        }

        log(String.format("started in %.1f s", (System.nanoTime() - t0) / 1e9));
        log("ready on bolt://" + host + ":" + port);
        // Keep the JVM alive; the shutdown hook ends the process on SIGTERM/SIGINT.
        while (!stopped.await(1, TimeUnit.HOURS)) {
            // keep waiting
        }
    }

    /**
     * Sets the password of user neo4j (created by Neo4j with password "neo4j" and a
     * forced change) through the system database, as an administrator would with
     * ALTER USER. Running it on every start keeps the password in sync with NEO4J_PASSWORD;
     * Neo4j refuses to "change" a password to the one already set, which is fine here.
     */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
            log("password of user " + USER + " set from NEO4J_PASSWORD");
        } catch (QueryExecutionException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("Old password and new password cannot be the same")) {
                log("password of user " + USER + " already matches NEO4J_PASSWORD");
            } else {
                throw e;
            }
        }
    }

    private static String neo4jVersion() {
        Package p = DatabaseManagementService.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "5.26" : v;
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    private static void log(String msg) {
        System.out.println(PREFIX + msg);
        System.out.flush();
    }

    private static void fail(String msg) {
        System.err.println(PREFIX + "ERROR: " + msg);
        System.err.flush();
        // exit runs the shutdown hook (if registered), which stops the DBMS.
        System.exit(1);
    }
}
