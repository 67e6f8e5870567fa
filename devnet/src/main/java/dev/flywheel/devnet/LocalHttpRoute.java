package dev.flywheel.devnet;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.flywheel.registry.DeviceRegistryHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * API Gateway's part, locally: turns a JDK {@code HttpServer} exchange on {@code /devices...} into the
 * HTTP API payload-2.0 event the handler gets on AWS, and its response back into HTTP. For the devnet's
 * function host and tests; devnet-only, so it is not in the registry's Lambda jar. No authorizer runs here (on AWS the routes use AWS_IAM).
 */
public final class LocalHttpRoute implements HttpHandler {
    private static final int MAX_BODY = 256 * 1024;
    private final DeviceRegistryHandler handler;
    private final Supplier<Context> context;

    public LocalHttpRoute(DeviceRegistryHandler handler, Supplier<Context> context) {
        this.handler = handler;
        this.context = context;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            byte[] in;
            try (InputStream body = exchange.getRequestBody()) {
                in = body.readNBytes(MAX_BODY + 1);
            }
            APIGatewayV2HTTPResponse response;
            if (in.length > MAX_BODY) {
                response = APIGatewayV2HTTPResponse.builder().withStatusCode(413)
                        .withBody("{\"error\":\"invalid_request\",\"detail\":\"body too large\"}").build();
            } else {
                APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
                event.setRawPath(path);
                event.setRouteKey(method + " " + path);
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
                event.setHeaders(headers);
                event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build());
                event.setBody(in.length == 0 ? null : new String(in, StandardCharsets.UTF_8));
                event.setIsBase64Encoded(false);
                response = handler.handleRequest(event, context.get());
            }
            byte[] out = response.getBody() == null ? new byte[0] : response.getBody().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(response.getStatusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }
}
