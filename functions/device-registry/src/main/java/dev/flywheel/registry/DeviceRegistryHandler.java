package dev.flywheel.registry;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device-registry HTTP API (API Gateway HTTP API, payload format 2.0):
 * <pre>
 *   POST /devices                  register: thing + certificate from a CSR + owner binding (two signatures)
 *   POST /devices/{id}/owner       transfer: device + new owner + current owner signatures
 *   POST /devices/{id}/location    location assertion signed by the current owner
 *   POST /devices/{id}/status      operators: suspend, reactivate, revoke (deactivates the certificate)
 *   GET  /devices/{id}             record, nonces, owner/location/status history
 *   PUT    /denylist/{deviceId}    operators: put a device on the denylist ({"reason": ...})
 *   GET    /denylist/{deviceId}    operators: its denylist entry (404 not_denylisted)
 *   DELETE /denylist/{deviceId}    operators: take it off
 * </pre>
 * Refusals are JSON {@code {"error": <reason code>, "detail": ...}} with a 4xx status, and change nothing.
 */
public class DeviceRegistryHandler extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Pattern DEVICE_PATH = Pattern.compile("/devices/([^/]+)(/(owner|location|status))?/?");
    private static final Pattern DENYLIST_PATH = Pattern.compile("/denylist/([^/]+)/?");

    /** The context's one ObjectMapper (micronaut-jackson-databind); application.properties keeps nulls and empty lists. */
    @Inject
    ObjectMapper json;

    @Inject
    DeviceRegistryService service;

    @Inject
    DenylistService denylist;

    public DeviceRegistryHandler() {
    }

    public DeviceRegistryHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent request) {
        ApiResult result;
        try {
            result = route(request);
        } catch (RequestException e) {
            result = e.result;
        }
        return respond(result);
    }

    private ApiResult route(APIGatewayV2HTTPEvent request) {
        String method = Optional.ofNullable(request.getRequestContext()).map(APIGatewayV2HTTPEvent.RequestContext::getHttp)
                .map(APIGatewayV2HTTPEvent.RequestContext.Http::getMethod).orElse("GET");
        String path = Optional.ofNullable(request.getRawPath()).orElse("/");
        String body = body(request);
        if (path.equals("/devices") || path.equals("/devices/")) {
            return "POST".equals(method) ? service.register(body) : notAllowed(method, path);
        }
        Matcher d = DENYLIST_PATH.matcher(path);
        if (d.matches()) {
            String id = Optional.ofNullable(request.getPathParameters()).map(p -> p.get("deviceId")).orElse(d.group(1));
            return switch (method) {
                case "PUT" -> denylist.add(id, body, caller(request));
                case "GET" -> denylist.show(id);
                case "DELETE" -> denylist.remove(id);
                default -> notAllowed(method, path);
            };
        }
        Matcher m = DEVICE_PATH.matcher(path);
        if (!m.matches()) {
            return ApiResult.refused(404, "not_found", "no route " + method + " " + path);
        }
        String id = Optional.ofNullable(request.getPathParameters()).map(p -> p.get("id")).orElse(m.group(1));
        String action = m.group(3);
        if (action == null) {
            return "GET".equals(method) ? service.show(id) : notAllowed(method, path);
        }
        if (!"POST".equals(method)) {
            return notAllowed(method, path);
        }
        return switch (action) {
            case "owner" -> service.transfer(id, body);
            case "location" -> service.assertLocation(id, body);
            default -> service.changeStatus(id, body, caller(request));
        };
    }

    /** The IAM principal API Gateway authenticated (AWS_IAM authorizer), recorded with status changes. */
    private static String caller(APIGatewayV2HTTPEvent request) {
        return Optional.ofNullable(request.getRequestContext()).map(APIGatewayV2HTTPEvent.RequestContext::getAuthorizer)
                .map(APIGatewayV2HTTPEvent.RequestContext.Authorizer::getIam)
                .map(APIGatewayV2HTTPEvent.RequestContext.IAM::getUserArn).orElse(null);
    }

    private static String body(APIGatewayV2HTTPEvent request) {
        String body = request.getBody();
        if (body != null && request.getIsBase64Encoded()) {
            return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return body;
    }

    private static ApiResult notAllowed(String method, String path) {
        return ApiResult.refused(405, "method_not_allowed", method + " is not allowed on " + path);
    }

    private APIGatewayV2HTTPResponse respond(ApiResult result) {
        try {
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(result.status())
                    .withHeaders(Map.of("content-type", "application/json"))
                    .withBody(json.writeValueAsString(result.body()))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
