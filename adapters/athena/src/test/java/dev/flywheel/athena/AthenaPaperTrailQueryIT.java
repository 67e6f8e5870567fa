package dev.flywheel.athena;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.trail.PaperTrailSearch;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.QueryExecution;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AthenaPaperTrailQuery} against moto's Athena (scripts/test's {@code AWS_ENDPOINT_URL}): the real API calls
 * (StartQueryExecution in the workgroup with the database, GetQueryExecution polled to SUCCEEDED, GetQueryResults).
 *
 * <p>A fake only where no server here can help: moto runs no SQL, so the rows the query would return are injected
 * through moto's {@code POST /moto-api/static/athena/query-results} (the next execution started gets them), and a query
 * still running at the deadline is moto's execution state machine held in QUEUED ({@code /moto-api/state-manager}).
 * What the SQL selects over the real trail is the S3 reader's IT and the Glue table's columns in template.yaml; moto
 * also ignores ClientRequestToken and result reuse, so their effect is documented (docs/explorer.md), not shown here.
 */
class AthenaPaperTrailQueryIT {
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static final URI MOTO = URI.create(System.getenv("AWS_ENDPOINT_URL"));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static AthenaClient athena() {
        return AthenaClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static String workGroup(AthenaClient athena) {
        String name = "it-paper-trail-" + UUID.randomUUID().toString().substring(0, 8);
        athena.createWorkGroup(w -> w.name(name).configuration(c -> c.enforceWorkGroupConfiguration(true)
                .bytesScannedCutoffPerQuery(1_000_000_000L)
                .resultConfiguration(r -> r.outputLocation("s3://it-paper-trail-results/athena-results/"))));
        return name;
    }

    private static void motoApi(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(MOTO.resolve(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() / 100 == 2, path + " -> " + r.statusCode() + " " + r.body());
    }

    private static String row(String... values) {
        StringBuilder b = new StringBuilder("{\"Data\":[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"VarCharValue\":\"").append(values[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    private static String column(String name, String type) {
        return "{\"Name\":\"" + name + "\",\"Label\":\"" + name + "\",\"Type\":\"" + type + "\"}";
    }

    @Test
    void runsTheQueryInTheWorkgroupAndMapsTheRowsAfterTheHeader() throws Exception {
        try (AthenaClient athena = athena()) {
            String workGroup = workGroup(athena);
            long t = CLOCK.start(24).plusSeconds(5).toEpochMilli();
            // What Athena returns for the SQL: the header row, then the rows (out of order here: the adapter sorts).
            motoApi("/moto-api/static/athena/query-results", "{\"region\":\"" + System.getenv("AWS_REGION") + "\",\"results\":[{"
                    + "\"rows\":[" + String.join(",", row("deliveryid", "proofid", "seq", "prooftype", "units", "receivedat"),
                    row("d-2", "p-2", "2", "sensor.reading", "3", Long.toString(t + 60_000)),
                    row("d-1", "p-1", "1", "sensor.reading", "2", Long.toString(t))) + "],"
                    + "\"column_info\":[" + String.join(",", column("deliveryid", "varchar"), column("proofid", "varchar"),
                    column("seq", "bigint"), column("prooftype", "varchar"), column("units", "bigint"), column("receivedat", "bigint"))
                    + "]}]}");
            PaperTrailSearch.Query query = PaperTrailSearch.Query.of("dev-1", 24, CLOCK);
            var search = new AthenaPaperTrailQuery(athena, workGroup, "flywheel_paper_trail", Duration.ofSeconds(20), Clock.systemUTC());

            var found = assertInstanceOf(PaperTrailSearch.Found.class, search.acceptedProofs(query));
            assertEquals(List.of(
                    new PaperTrailSearch.AcceptedProof("d-1", "p-1", 1, "sensor.reading", 2, Instant.ofEpochMilli(t)),
                    new PaperTrailSearch.AcceptedProof("d-2", "p-2", 2, "sensor.reading", 3, Instant.ofEpochMilli(t + 60_000))),
                    found.proofs(), "the header row skipped, each row mapped by column name, sorted by receive time");
            assertEquals(5, found.units());
            assertFalse(found.truncated());

            // What was sent: the query's SQL, in the workgroup, against the database.
            List<String> ids = athena.listQueryExecutions(l -> l.workGroup(workGroup)).queryExecutionIds();
            assertEquals(1, ids.size(), ids.toString());
            QueryExecution sent = athena.getQueryExecution(g -> g.queryExecutionId(ids.get(0))).queryExecution();
            assertEquals(query.sql(), sent.query());
            assertTrue(sent.query().contains("dt BETWEEN '2026-01-01' AND '2026-01-02' AND device = 'dev-1' AND epoch = 24 "
                    + "AND outcome = 'accepted'"), sent.query());
            assertEquals(workGroup, sent.workGroup());
            assertEquals("flywheel_paper_trail", sent.queryExecutionContext().database());
            athena.deleteWorkGroup(d -> d.workGroup(workGroup).recursiveDeleteOption(true));
        }
    }

    @Test
    void aQueryStillRunningAtTheDeadlineIsAnsweredRunningWithItsId() throws Exception {
        try (AthenaClient athena = athena()) {
            String workGroup = workGroup(athena);
            // Hold moto's executions in QUEUED: each poll counts one "time", none advances the state.
            motoApi("/moto-api/state-manager/set-transition",
                    "{\"model_name\":\"athena::execution\",\"transition\":{\"progression\":\"manual\",\"times\":1000000}}");
            try {
                var search = new AthenaPaperTrailQuery(athena, workGroup, "flywheel_paper_trail", Duration.ofSeconds(1), Clock.systemUTC());
                long started = System.nanoTime();
                var running = assertInstanceOf(PaperTrailSearch.Running.class,
                        search.acceptedProofs(PaperTrailSearch.Query.of("dev-1", 24, CLOCK)));
                assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "answered at the deadline");
                assertNotNull(running.searchId());
                assertTrue(running.detail().contains(running.searchId()) && running.detail().contains("QUEUED"), running.detail());
                assertEquals(AthenaPaperTrailQuery.RETRY_AFTER, running.retryAfter());
            } finally {
                motoApi("/moto-api/state-manager/unset-transition", "{\"model_name\":\"athena::execution\"}");
                athena.deleteWorkGroup(d -> d.workGroup(workGroup).recursiveDeleteOption(true));
            }
        }
    }

    @Test
    void aRefusedQueryIsAnsweredFailedWithAthenasReason() {
        try (AthenaClient athena = athena()) {
            var search = new AthenaPaperTrailQuery(athena, "no-such-workgroup-" + UUID.randomUUID(), "flywheel_paper_trail",
                    Duration.ofSeconds(1), Clock.systemUTC());
            var failed = assertInstanceOf(PaperTrailSearch.Failed.class, search.acceptedProofs(PaperTrailSearch.Query.of("dev-1", 24, CLOCK)));
            assertTrue(failed.reason().contains("WorkGroup does not exist"), failed.reason());
        }
    }

    @Test
    void repeatedClicksWithinASlotShareATokenAndTheTokenFitsAthenasLimits() {
        String sql = PaperTrailSearch.Query.of("dev-1", 24, CLOCK).sql();
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        String token = AthenaPaperTrailQuery.token("wg", sql, now);
        assertEquals(token, AthenaPaperTrailQuery.token("wg", sql, now.plusSeconds(59)));
        assertFalse(token.equals(AthenaPaperTrailQuery.token("wg", sql, now.plus(AthenaPaperTrailQuery.TOKEN_WINDOW))));
        assertFalse(token.equals(AthenaPaperTrailQuery.token("wg", PaperTrailSearch.Query.of("dev-2", 24, CLOCK).sql(), now)));
        assertTrue(token.length() >= 32 && token.length() <= 128, token);
    }
}
