package dev.flywheel.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.dynamodb.DynamoDenylist;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The operator's denylist over the registry API (IAM-authorized like every route; meant for operators):
 * <pre>
 *   PUT    /denylist/{deviceId}   {"reason": ...}  200: the entry (adds, or replaces the reason)
 *   GET    /denylist/{deviceId}                    200: the entry; 404 not_denylisted
 *   DELETE /denylist/{deviceId}                    200: {"deviceId", "denylisted": false, "removed": true|false}
 * </pre>
 * Entries live in the devices table ({@link DynamoDenylist}); the verifier rejects a listed device's proofs
 * as {@code denylisted} within its denylist-cache TTL ({@code flywheel.denylist-cache-seconds}, default 30 s).
 * A device need not be registered to be listed (an operator may block a known spoofer's id ahead of time).
 */
public final class DenylistService {
    private final DynamoDenylist denylist;
    private final Clock clock;
    private final Requests requests;

    public DenylistService(DynamoDenylist denylist, Clock clock, ObjectMapper json) {
        this.requests = new Requests(json);
        this.denylist = Objects.requireNonNull(denylist, "denylist");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ApiResult add(String deviceId, String body, String caller) {
        String id = Requests.deviceId(deviceId);
        ObjectNode o = requests.object(body, Set.of("reason"));
        String reason = o.path("reason").isTextual() ? o.get("reason").asText().strip() : "";
        if (reason.isEmpty() || reason.length() > Requests.MAX_REASON) {
            throw new RequestException("'reason' must be 1 to " + Requests.MAX_REASON + " characters");
        }
        denylist.add(id, reason, caller, clock.instant());
        return show(id);
    }

    public ApiResult show(String deviceId) {
        String id = Requests.deviceId(deviceId);
        return denylist.find(id).map(e -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("deviceId", id);
            body.put("denylisted", true);
            body.put("reason", e.reason());
            body.put("addedBy", e.addedBy());
            body.put("addedAt", e.addedAt() == null ? null : e.addedAt().toString());
            return ApiResult.ok(200, body);
        }).orElseGet(() -> ApiResult.refused(404, "not_denylisted", id + " is not on the denylist"));
    }

    public ApiResult remove(String deviceId) {
        String id = Requests.deviceId(deviceId);
        boolean removed = denylist.remove(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deviceId", id);
        body.put("denylisted", false);
        body.put("removed", removed);
        return ApiResult.ok(200, body);
    }
}
