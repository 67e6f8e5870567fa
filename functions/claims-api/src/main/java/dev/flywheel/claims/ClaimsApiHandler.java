package dev.flywheel.claims;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.claims.ClaimService;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /network/...}: the explorer's JSON endpoints ({@link ExplorerApi}, docs/explorer.md).
 *
 * <p>{@code GET /claims/{address}}: what an owner can claim under the root that is active on chain now
 * (docs/settlement.md): lifetime earned, claimed (from the chain), claimable, and the Merkle proof;
 * during an activation window also the owner's leaf under the pending root. Amounts are decimal strings.
 */
public class ClaimsApiHandler extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClaimsApiHandler.class);

    /** The context's one mapper (function-support JsonMapperSettings), the one that read the event. */
    @Inject
    ObjectMapper json;

    @Inject
    ClaimService claims;

    @Inject
    ExplorerApi explorer;

    public ClaimsApiHandler() {
    }

    public ClaimsApiHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent request) {
        String path = Optional.ofNullable(request.getRawPath()).orElse("");
        if (path.startsWith("/network/")) {
            return explore(path, Optional.ofNullable(request.getQueryStringParameters()).orElse(Map.of()));
        }
        String address = Optional.ofNullable(request.getPathParameters()).map(p -> p.get("address")).orElse("");
        if (!ADDRESS.matcher(address).matches()) {
            return respond(400, Map.of("error", "invalid_address", "detail", "expected 0x followed by 40 hex digits"));
        }
        String owner = address.toLowerCase(Locale.ROOT);
        return switch (claims.claimFor(owner)) {
            case ClaimService.NothingYet n -> respond(404, Map.of("error", "nothing_to_claim", "detail", n.detail()));
            case ClaimService.LedgerBehind b -> respond(503, Map.of("error", "ledger_behind_chain", "detail",
                    "the active root of epoch " + b.epoch() + " on chain is " + b.chainRoot() + ", the ledger has " + b.ledgerRoot()));
            case ClaimService.Claim c -> respond(200, body(c));
        };
    }

    private static Map<String, Object> body(ClaimService.Claim c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", c.account());
        body.put("epoch", c.epoch());
        body.put("root", c.rootHex());
        body.put("cumulativeAmount", c.earned().toString());
        body.put("claimed", c.claimed().toString());
        body.put("claimable", c.claimable().toString());
        body.put("proof", c.proof());
        body.put("paused", c.paused());
        c.pending().ifPresent(p -> body.put("pending", Map.of(
                "epoch", p.epoch(), "root", p.rootHex(), "activatesAt", p.activatesAt().toString(),
                "cumulativeAmount", p.earned().toString(), "proof", p.proof())));
        return body;
    }

    @SuppressWarnings("unchecked")
    private APIGatewayV2HTTPResponse explore(String path, Map<String, String> query) {
        ExplorerApi.Response r;
        try {
            r = explorer.handle(path, query);
        } catch (RuntimeException e) {
            // The message only: a stack trace is for the log, not for a browser.
            LOG.error("explorer request {} failed", path, e);
            return respond(500, Map.of("error", "internal_error", "detail", "the explorer could not answer " + path
                    + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        }
        if (r.body() instanceof byte[] raw) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(r.status())
                    .withHeaders(Map.of("content-type", "application/json", "cache-control", "public, max-age=3600"))
                    .withBody(new String(raw, java.nio.charset.StandardCharsets.UTF_8)).build();
        }
        APIGatewayV2HTTPResponse response = respond(r.status(), (Map<String, ?>) r.body());
        if (r.cacheable()) {
            // Map answers scan the devices table: let browsers and CDNs reuse them for a while.
            response.setHeaders(Map.of("content-type", "application/json", "cache-control", "public, max-age=15"));
        }
        if (r.status() == 503 && ((Map<String, ?>) r.body()).get("retryAfterSeconds") instanceof Number retry) {
            // A paper-trail query still running: the same request finds the same query again.
            response.setHeaders(Map.of("content-type", "application/json", "retry-after", retry.toString()));
        }
        return response;
    }

    private APIGatewayV2HTTPResponse respond(int status, Map<String, ?> body) {
        try {
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(status)
                    .withHeaders(Map.of("content-type", "application/json"))
                    .withBody(json.writeValueAsString(body))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
