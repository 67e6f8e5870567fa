package dev.flywheel.claims;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /claims/{address}}: what an owner can claim under the root that is on chain now:
 * lifetime total, Merkle proof, and the per-device shares of that epoch, so wallet, explorer and
 * claim all show the same numbers.
 */
public class ClaimsApiHandler extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DynamoEpochLedger ledger;
    @Inject
    EpochClock clock;

    public ClaimsApiHandler() {
    }

    public ClaimsApiHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent request) {
        String address = Optional.ofNullable(request.getPathParameters()).map(p -> p.get("address")).orElse("");
        if (!ADDRESS.matcher(address).matches()) {
            return respond(400, Map.of("error", "invalid_address", "detail", "expected 0x followed by 40 hex digits"));
        }
        String owner = address.toLowerCase(Locale.ROOT);
        EpochLedger.Cursor cursor = ledger.cursor(clock.epochOf(clock.genesis()) - 1);
        long epoch = cursor.lastSettled();
        Optional<DynamoEpochLedger.OwnerBalance> balance = ledger.ownerBalance(epoch, owner);
        if (balance.isEmpty()) {
            return respond(404, Map.of("error", "nothing_to_claim", "detail",
                    "no rewards for " + owner + " under the settled root of epoch " + epoch));
        }
        DynamoEpochLedger.OwnerBalance b = balance.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", owner);
        body.put("epoch", epoch);
        body.put("root", b.rootHex());
        body.put("rootTx", ledger.rootTransaction(epoch).orElse(null));
        body.put("cumulativeAmount", b.cumulative().toString());
        body.put("proof", b.proof());
        body.put("epochRewards", ledger.ownerRewards(epoch, owner).stream().map(r -> Map.of(
                "deviceId", r.deviceId(), "units", r.units(), "amount", r.amount().toString())).toList());
        return respond(200, body);
    }

    private static APIGatewayV2HTTPResponse respond(int status, Map<String, ?> body) {
        try {
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(status)
                    .withHeaders(Map.of("content-type", "application/json"))
                    .withBody(JSON.writeValueAsString(body))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
