package dev.flywheel.athena;

import dev.flywheel.core.trail.PaperTrailSearch;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.AthenaException;
import software.amazon.awssdk.services.athena.model.ColumnInfo;
import software.amazon.awssdk.services.athena.model.Datum;
import software.amazon.awssdk.services.athena.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.Row;
import software.amazon.awssdk.services.athena.model.TooManyRequestsException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link PaperTrailSearch} with Athena: the query's SQL ({@link Query#sql()}) over the Glue table {@code verdicts} of the
 * stack's {@code <stack>_paper_trail} database, in a workgroup whose enforced configuration holds the results location,
 * their encryption and the bytes-scanned cutoff (template.yaml {@code PaperTrailWorkGroup}).
 *
 * <p>Costs are per query ($5 per TB scanned, 10 MB minimum), so repeated clicks must not start new ones: the
 * ClientRequestToken is a digest of the workgroup, the SQL and a {@link #TOKEN_WINDOW} time slot, so a click within the slot
 * gets the same execution back (running or done), and result reuse ({@link #REUSE_MINUTES}) answers a later click from
 * the stored result without scanning. A closed epoch's trail does not change, so a reused result is never stale.
 *
 * <p>The answer must fit in an HTTP API call (30 s): the execution is polled until it ends or {@code deadline} passes;
 * still running then is {@link Running} (the caller asks again: the same token finds the same execution).
 */
public final class AthenaPaperTrailQuery implements PaperTrailSearch {
    /** How old a stored result Athena may answer with instead of scanning again. */
    public static final int REUSE_MINUTES = 60;
    /** Clicks within one slot share an execution; a later click starts one that result reuse usually answers. */
    static final Duration TOKEN_WINDOW = Duration.ofMinutes(10);
    /** How long a caller waits before asking again for a query still running. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration FIRST_POLL = Duration.ofMillis(200);
    private static final Duration LONGEST_POLL = Duration.ofSeconds(1);

    private final AthenaClient athena;
    private final String workGroup;
    private final String database;
    private final Duration deadline;
    private final Clock clock;

    /**
     * @param workGroup the workgroup the query runs in (its enforced settings hold the output location)
     * @param database  the Glue database of the table {@code verdicts}
     * @param deadline  how long one call waits for the query before answering {@link Running}
     */
    public AthenaPaperTrailQuery(AthenaClient athena, String workGroup, String database, Duration deadline, Clock clock) {
        this.athena = athena;
        this.workGroup = workGroup;
        this.database = database;
        this.deadline = deadline;
        this.clock = clock;
    }

    @Override
    public Answer acceptedProofs(Query query) {
        String sql = query.sql();
        Instant until = clock.instant().plus(deadline);
        String id;
        try {
            id = athena.startQueryExecution(r -> r.queryString(sql).workGroup(workGroup)
                    .queryExecutionContext(c -> c.database(database))
                    .clientRequestToken(token(workGroup, sql, clock.instant()))
                    .resultReuseConfiguration(c -> c.resultReuseByAgeConfiguration(a -> a.enabled(true).maxAgeInMinutes(REUSE_MINUTES))))
                    .queryExecutionId();
        } catch (TooManyRequestsException e) {
            return new Running(null, RETRY_AFTER, "Athena is throttling query starts: " + message(e));
        } catch (AthenaException e) {
            return new Failed(null, "Athena refused the query: " + message(e));
        }
        Duration pause = FIRST_POLL;
        while (true) {
            QueryExecution execution = athena.getQueryExecution(g -> g.queryExecutionId(id)).queryExecution();
            switch (execution.status().state()) {
                case SUCCEEDED -> {
                    return results(id);
                }
                case FAILED, CANCELLED -> {
                    String reason = execution.status().stateChangeReason();
                    if (execution.status().athenaError() != null && execution.status().athenaError().errorMessage() != null) {
                        reason = execution.status().athenaError().errorMessage();
                    }
                    return new Failed(id, execution.status().stateAsString() + ": " + (reason == null ? "no reason given" : reason));
                }
                default -> {
                    if (!clock.instant().plus(pause).isBefore(until)) {
                        return new Running(id, RETRY_AFTER, "the Athena query " + id + " is " + execution.status().stateAsString()
                                + " after " + deadline.toSeconds() + " s; ask again in " + RETRY_AFTER.toSeconds()
                                + " s for its answer");
                    }
                    try {
                        Thread.sleep(pause);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return new Running(id, RETRY_AFTER, "interrupted while waiting for the Athena query " + id);
                    }
                    pause = pause.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : pause.multipliedBy(2);
                }
            }
        }
    }

    /** The result rows after the header row, by column name, up to one more than {@link #CAP} (the SQL's LIMIT). */
    private Answer results(String id) {
        List<Line> lines = new ArrayList<>();
        String next = null;
        boolean header = true;
        do {
            String token = next;
            GetQueryResultsResponse page = athena.getQueryResults(g -> g.queryExecutionId(id).nextToken(token).maxResults(CAP));
            Map<String, Integer> column = new HashMap<>();
            List<ColumnInfo> columns = page.resultSet().resultSetMetadata().columnInfo();
            for (int i = 0; i < columns.size(); i++) {
                column.put(columns.get(i).name().toLowerCase(Locale.ROOT), i);
            }
            for (Row row : page.resultSet().rows()) {
                if (header) {
                    // A SELECT's first row holds the column names.
                    header = false;
                    continue;
                }
                List<Datum> d = row.data();
                lines.add(new Line(new AcceptedProof(text(d, column, "deliveryid"), text(d, column, "proofid"),
                        number(d, column, "seq"), text(d, column, "prooftype"), number(d, column, "units"),
                        Instant.ofEpochMilli(number(d, column, "receivedat"))), true));
            }
            next = page.nextToken();
        } while (next != null && lines.size() <= CAP);
        return PaperTrailSearch.fold(lines);
    }

    private static String text(List<Datum> row, Map<String, Integer> column, String name) {
        Integer i = column.get(name);
        if (i == null) {
            throw new IllegalStateException("the Athena result lacks column " + name + ": " + column.keySet());
        }
        return i < row.size() ? row.get(i).varCharValue() : null;
    }

    private static long number(List<Datum> row, Map<String, Integer> column, String name) {
        String v = text(row, column, name);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    private static String message(AthenaException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null ? e.awsErrorDetails().errorMessage() : e.getMessage();
    }

    /** 64 hex digits (Athena takes 32-128 characters): the same workgroup, SQL and time slot give the same token. */
    static String token(String workGroup, String sql, Instant now) {
        long slot = now.getEpochSecond() / TOKEN_WINDOW.toSeconds();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((workGroup + "\n" + slot + "\n" + sql).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
