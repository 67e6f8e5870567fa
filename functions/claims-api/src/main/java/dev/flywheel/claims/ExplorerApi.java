package dev.flywheel.claims;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.claims.ClaimService;
import dev.flywheel.core.claims.DistributorView;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.geo.H3Index;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.trail.PaperTrailSearch;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoExplorerReads;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.OnboardedDevice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The explorer's JSON endpoints on the claims API (docs/explorer.md lists them): the network map, a device, an owner,
 * an epoch, and the links of the evidence chain (claim, root, manifest, device reward, accepted proofs). Read-only.
 * Bad input is a 4xx with {@code {"error": <code>, "detail": <message>}}; amounts are decimal strings.
 */
final class ExplorerApi {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern EPOCH = Pattern.compile("-?[0-9]{1,18}");
    /** Newest verdicts shown on a device page. */
    static final int RECENT_PROOFS = 50;
    /** The paper trail keeps accepted proofs older than the replay guard: where the answer says to look. */
    private static final String PAPER_TRAIL = "accepted proofs older than the replay guard (about an hour) are in the paper trail "
            + "(verdicts/dt=<yyyy-MM-dd>/ in the PaperTrailBucket, docs/architecture.md \"Paper trail\"); "
            + "/network/epochs/{n}/devices/{id}/proofs reads a device's accepted proofs of a closed epoch from it";

    /** An answer: status and body (a map, or raw JSON bytes for the manifest). */
    record Response(int status, Object body, boolean cacheable) {
        static Response ok(Object body) {
            return new Response(200, body, false);
        }

        static Response error(int status, String code, String detail) {
            return new Response(status, Map.of("error", code, "detail", detail), false);
        }
    }

    private final DynamoExplorerReads reads;
    private final DynamoHexSummaries hexSummaries;
    private final DynamoOnboardingRegistry registry;
    private final DynamoProofLedger proofs;
    private final DynamoEpochLedger epochs;
    private final ClaimService claims;
    private final ChainReads chain;
    private final PaperTrailSearch paperTrail;
    private final EpochClock clock;
    private final Clock wall;
    private final ObjectMapper json;

    ExplorerApi(DynamoExplorerReads reads, DynamoHexSummaries hexSummaries, DynamoOnboardingRegistry registry,
                DynamoProofLedger proofs, DynamoEpochLedger epochs, ClaimService claims, ChainReads chain,
                PaperTrailSearch paperTrail, EpochClock clock, Clock wall, ObjectMapper json) {
        this.reads = reads;
        this.hexSummaries = hexSummaries;
        this.registry = registry;
        this.proofs = proofs;
        this.epochs = epochs;
        this.claims = claims;
        this.chain = chain;
        this.paperTrail = paperTrail;
        this.json = json;
        this.clock = clock;
        this.wall = wall;
    }

    /** Routes {@code GET /network/...}; {@code query} holds the query string's parameters. */
    Response handle(String path, Map<String, String> query) {
        String[] p = path.replaceAll("/+$", "").split("/");
        // p[0] = "", p[1] = "network"
        if (p.length < 3) {
            return notFound(path);
        }
        return switch (p[2]) {
            case "summary" -> p.length == 3 ? summary() : notFound(path);
            case "hexes" -> p.length == 3 ? hexes(query) : p.length == 4 ? hex(p[3], query) : notFound(path);
            case "devices" -> p.length == 4 ? device(p[3]) : notFound(path);
            case "owners" -> p.length == 4 ? owner(p[3]) : notFound(path);
            case "epochs" -> switch (p.length) {
                case 4 -> epoch(p[3]);
                case 5 -> "manifest".equals(p[4]) ? manifest(p[3]) : notFound(path);
                case 6 -> "devices".equals(p[4]) ? epochDevice(p[3], p[5]) : notFound(path);
                case 7 -> "devices".equals(p[4]) && "proofs".equals(p[6]) ? epochDeviceProofs(p[3], p[5]) : notFound(path);
                default -> notFound(path);
            };
            default -> notFound(path);
        };
    }

    private static Response invalidDeviceId(String deviceId) {
        return Response.error(400, "invalid_device_id", "a device id is 1-128 characters of [A-Za-z0-9:_-], got '" + clip(deviceId) + "'");
    }

    private static Response notFound(String path) {
        return Response.error(404, "not_found", "no explorer endpoint at " + path
                + "; endpoints: /network/summary, /network/hexes, /network/hexes/{cell}, /network/devices/{id}, "
                + "/network/owners/{address}, /network/epochs/{n}, /network/epochs/{n}/manifest, /network/epochs/{n}/devices/{id}, "
                + "/network/epochs/{n}/devices/{id}/proofs");
    }

    // ---------------------------------------------------------------------------------------------

    private long firstEpoch() {
        return clock.epochOf(clock.genesis());
    }

    private long currentEpoch() {
        return clock.epochOf(wall.instant());
    }

    private EpochLedger.Cursor cursor() {
        return epochs.cursor(firstEpoch() - 1);
    }

    private Response summary() {
        EpochLedger.Cursor c = cursor();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("chainId", chain.chainId());
        body.put("distributor", chain.distributor());
        body.put("token", chain.distributor());
        body.put("genesis", clock.genesis().toString());
        body.put("epochSeconds", clock.length().toSeconds());
        body.put("firstEpoch", firstEpoch());
        body.put("currentEpoch", currentEpoch());
        body.put("lastClosed", c.lastClosed() < firstEpoch() ? null : c.lastClosed());
        body.put("lastSettled", c.lastSettled() < firstEpoch() ? null : c.lastSettled());
        return Response.ok(body);
    }

    /** The epoch a query names, else the last closed one (null when none closed yet); an error for bad input. */
    private sealed interface EpochArg permits EpochArg.Value, EpochArg.Invalid {
        record Value(Long epoch) implements EpochArg {
        }

        record Invalid(Response response) implements EpochArg {
        }
    }

    private EpochArg epochArg(String text, boolean closedByDefault) {
        if (text == null || text.isEmpty()) {
            long last = cursor().lastClosed();
            return new EpochArg.Value(closedByDefault && last >= firstEpoch() ? last : null);
        }
        if (!EPOCH.matcher(text).matches()) {
            return new EpochArg.Invalid(Response.error(400, "invalid_epoch", "epoch must be a whole number, got '" + clip(text) + "'"));
        }
        long epoch = Long.parseLong(text);
        if (epoch < firstEpoch() || epoch > currentEpoch()) {
            return new EpochArg.Invalid(Response.error(400, "epoch_out_of_range", "epoch " + epoch + " is outside "
                    + firstEpoch() + ".." + currentEpoch() + " (genesis " + clock.genesis() + ", " + clock.length().toSeconds()
                    + " s per epoch; the current epoch is " + currentEpoch() + ")"));
        }
        return new EpochArg.Value(epoch);
    }

    private static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }

    // ---------------------------------------------------------------------------------------------
    // Map

    /**
     * The map: the epoch's hex summary at resolution 5 or 8 (default 8), one Query of its partition. "Active" devices are
     * the ones credited with verified work in the epoch; the summary is written by the epoch closer after the close.
     */
    private Response hexes(Map<String, String> query) {
        EpochArg arg = epochArg(query.get("epoch"), true);
        if (arg instanceof EpochArg.Invalid invalid) {
            return invalid.response();
        }
        Long epoch = ((EpochArg.Value) arg).epoch();
        int resolution = DynamoHexSummaries.LISTED_RESOLUTION;
        String r = query.get("resolution");
        if (r != null && !r.isEmpty()) {
            if (!r.matches("[0-9]{1,2}") || !DynamoHexSummaries.RESOLUTIONS.contains(Integer.parseInt(r))) {
                return Response.error(400, "invalid_resolution", "the map's hex summary holds H3 resolutions "
                        + DynamoHexSummaries.RESOLUTIONS + ", got '" + clip(r) + "'");
            }
            resolution = Integer.parseInt(r);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("epoch", epoch);
        body.put("resolution", resolution);
        Optional<DynamoHexSummaries.Head> head = epoch == null ? Optional.empty() : hexSummaries.head(epoch);
        body.put("activeDevices", head.map(DynamoHexSummaries.Head::activeDevices).orElse(0L));
        body.put("locatedDevices", head.map(DynamoHexSummaries.Head::locatedDevices).orElse(0L));
        if (epoch != null && head.isEmpty()) {
            body.put("note", "epoch " + epoch + " has no hex summary: the epoch closer writes it after the close "
                    + "(and for the newest 50 closed epochs only when a stack is upgraded)");
        }
        List<Map<String, Object>> hexes = new ArrayList<>();
        if (head.isPresent()) {
            for (DynamoHexSummaries.Hex h : hexSummaries.hexes(epoch, resolution)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cell", h.cell());
                m.put("activeDevices", h.activeDevices());
                m.put("units", h.units());
                m.put("rewards", h.rewards().toString());
                hexes.add(m);
            }
        }
        body.put("hexes", hexes);
        return new Response(200, body, true);
    }

    /** A hex's devices credited in the epoch (from the summary), with their status and owner as registered now. */
    private Response hex(String cell, Map<String, String> query) {
        if (!H3Index.isValidCell(cell)) {
            return Response.error(400, "invalid_cell", "'" + clip(cell) + "' is not an H3 cell index (15 hex digits)");
        }
        int coarsest = DynamoHexSummaries.RESOLUTIONS.get(0);
        if (H3Index.resolution(cell) < coarsest) {
            return Response.error(400, "hex_too_coarse", "hex " + cell + " is at resolution " + H3Index.resolution(cell)
                    + "; a hex's device list is served for resolution " + coarsest + " or finer");
        }
        EpochArg arg = epochArg(query.get("epoch"), true);
        if (arg instanceof EpochArg.Invalid invalid) {
            return invalid.response();
        }
        Long epoch = ((EpochArg.Value) arg).epoch();
        List<Map<String, Object>> devices = new ArrayList<>();
        long total = 0;
        if (epoch != null) {
            DynamoHexSummaries.HexDevices in = hexSummaries.devicesIn(epoch, cell);
            total = in.total();
            Map<String, DynamoExplorerReads.ListedDevice> now = reads.devices(
                    in.devices().stream().map(DynamoHexSummaries.Member::deviceId).toList());
            for (DynamoHexSummaries.Member m : in.devices()) {
                DynamoExplorerReads.ListedDevice d = now.get(m.deviceId());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("deviceId", m.deviceId());
                row.put("owner", d == null ? m.owner() : d.owner());
                row.put("status", d == null ? null : d.status());
                row.put("h3Cell", m.cell());
                row.put("units", m.units());
                row.put("reward", m.reward().toString());
                devices.add(row);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cell", cell);
        body.put("epoch", epoch);
        body.put("devices", devices);
        body.put("moreDevices", total - devices.size());
        return new Response(200, body, true);
    }

    private static Map<String, Object> listed(DynamoExplorerReads.ListedDevice d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", d.deviceId());
        m.put("owner", d.owner());
        m.put("status", d.status());
        m.put("h3Cell", d.h3Cell());
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Device

    private Response device(String deviceId) {
        if (!ProofCodec.DEVICE_ID.matcher(deviceId).matches()) {
            return invalidDeviceId(deviceId);
        }
        Optional<OnboardedDevice> found = registry.find(deviceId);
        if (found.isEmpty()) {
            return Response.error(404, "unknown_device", "no device " + deviceId + " is registered");
        }
        OnboardedDevice d = found.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deviceId", deviceId);
        body.put("owner", d.device().owner());
        body.put("status", d.device().status().name());
        body.put("statusReason", d.statusReason());
        body.put("maker", d.maker());
        body.put("registeredAt", d.registeredAt() == null ? null : d.registeredAt().toString());
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("h3Cell", d.device().h3Cell());
        location.put("assertedAt", d.locationAssertedAt() == null ? null : d.locationAssertedAt().toString());
        location.put("antennaGainDeciDbi", d.antennaGainDeciDbi());
        location.put("elevationMeters", d.elevationMeters());
        body.put("location", location);
        body.put("locationHistory", history(deviceId, DynamoOnboardingRegistry.LOCATION, d.locationNonce()));
        body.put("ownerHistory", history(deviceId, DynamoOnboardingRegistry.OWNER, d.ownerNonce()));
        body.put("statusHistory", history(deviceId, DynamoOnboardingRegistry.STATUS, d.statusVersion()));

        Optional<DynamoExplorerReads.LedgerState> state = reads.ledgerState(deviceId);
        body.put("acceptedLifetime", state.map(DynamoExplorerReads.LedgerState::acceptedLifetime).orElse(0L));
        List<Map<String, Object>> open = new ArrayList<>();
        state.ifPresent(s -> s.openUnits().forEach((epoch, pools) -> open.add(Map.of("epoch", epoch, "units", pools))));
        body.put("openEpochs", open);

        Map<Long, Map<String, Long>> work = reads.workByEpoch(deviceId);
        Map<Long, DynamoExplorerReads.Share> shares = reads.shares(deviceId, work.keySet());
        BigInteger lifetime = BigInteger.ZERO;
        List<Map<String, Object>> perEpoch = new ArrayList<>();
        for (Map.Entry<Long, Map<String, Long>> e : work.entrySet()) {
            DynamoExplorerReads.Share share = shares.get(e.getKey());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.getKey());
            row.put("units", e.getValue());
            row.put("reward", share == null ? "0" : share.amount().toString());
            row.put("owner", share == null ? null : share.owner());
            perEpoch.add(row);
            if (share != null) {
                lifetime = lifetime.add(share.amount());
            }
        }
        java.util.Collections.reverse(perEpoch);
        body.put("epochs", perEpoch);
        body.put("lifetimeEarned", lifetime.toString());
        body.put("proofs", proofs.verdictsForDevice(deviceId, RECENT_PROOFS).stream().map(ExplorerApi::verdict).toList());
        body.put("olderProofs", PAPER_TRAIL);
        return Response.ok(body);
    }

    private List<Map<String, Object>> history(String deviceId, String kind, long upTo) {
        return registry.history(deviceId, kind, upTo).stream().map(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("number", h.number());
            m.put("at", h.at());
            m.putAll(h.fields());
            return m;
        }).toList();
    }

    private static Map<String, Object> verdict(DynamoProofLedger.VerdictRecord v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deliveryId", v.deliveryId());
        m.put("outcome", v.outcome());
        m.put("reason", v.reason());
        m.put("detail", v.detail());
        m.put("proofId", v.proofId());
        m.put("sequence", v.sequence());
        m.put("epoch", v.epoch());
        m.put("receivedAt", Instant.ofEpochMilli(v.receivedAtMillis()).toString());
        m.put("evidence", v.evidence());
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Owner

    private Response owner(String address) {
        if (!ADDRESS.matcher(address).matches()) {
            return Response.error(400, "invalid_address", "expected 0x followed by 40 hex digits, got '" + clip(address) + "'");
        }
        String owner = address.toLowerCase(Locale.ROOT);
        List<DynamoExplorerReads.ListedDevice> devices = reads.devicesOf(owner);
        long last = cursor().lastClosed();
        Optional<DynamoEpochLedger.OwnerBalance> balance = last >= firstEpoch() ? epochs.ownerBalance(last, owner) : Optional.empty();
        if (devices.isEmpty() && balance.isEmpty()) {
            return Response.error(404, "unknown_owner", "no device is registered to " + owner + " and no rewards were ever allocated to it");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("owner", owner);
        body.put("devices", devices.stream().map(ExplorerApi::listed).toList());
        body.put("lifetimeEarned", balance.map(b -> b.cumulative().toString()).orElse("0"));
        body.put("lifetimeEarnedThroughEpoch", balance.map(DynamoEpochLedger.OwnerBalance::epoch).orElse(null));
        body.put("claimed", chain.claimed(owner).toString());
        body.put("tokenBalance", chain.tokenBalance(owner).toString());
        body.put("distributor", chain.distributor());
        body.put("chainId", chain.chainId());
        switch (claims.claimFor(owner)) {
            case ClaimService.Claim c -> {
                body.put("claimable", c.claimable().toString());
                Map<String, Object> claim = new LinkedHashMap<>();
                claim.put("epoch", c.epoch());
                claim.put("root", c.rootHex());
                claim.put("cumulativeAmount", c.earned().toString());
                claim.put("proof", c.proof());
                claim.put("paused", c.paused());
                body.put("claim", claim);
            }
            case ClaimService.NothingYet n -> {
                body.put("claimable", "0");
                body.put("claim", null);
                body.put("claimNote", n.detail());
            }
            case ClaimService.LedgerBehind b -> {
                body.put("claimable", "0");
                body.put("claim", null);
                body.put("claimNote", "the active root of epoch " + b.epoch() + " on chain is " + b.chainRoot()
                        + ", the ledger has " + b.ledgerRoot());
            }
        }
        return Response.ok(body);
    }

    // ---------------------------------------------------------------------------------------------
    // Epoch

    private Response epoch(String text) {
        EpochArg arg = epochArg(text, false);
        if (arg instanceof EpochArg.Invalid invalid) {
            return invalid.response();
        }
        long epoch = ((EpochArg.Value) arg).epoch();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("epoch", epoch);
        body.put("start", clock.start(epoch).toString());
        body.put("end", clock.end(epoch).toString());
        Optional<EpochManifest> closed = epochs.manifest(epoch);
        Optional<String> rootTx = epochs.rootTransaction(epoch);
        body.put("status", closed.isEmpty() ? "open" : rootTx.isPresent() ? "settled" : "closed");
        body.put("recompute", Map.of("command", "flywheel epoch recompute " + epoch,
                "docs", "docs/rewards.md#5-the-manifest-and-recomputing-an-epoch"));
        if (closed.isEmpty()) {
            return Response.ok(body);
        }
        EpochManifest m = closed.get();
        body.put("emission", m.emission().toString());
        body.put("allocated", m.allocated().toString());
        body.put("unallocated", m.unallocated().toString());
        body.put("totalUnits", m.totalUnits());
        body.put("rewardedDevices", m.rewardedDevices());
        body.put("owners", m.owners());
        body.put("root", m.rootHex());
        body.put("totalCumulative", m.totalCumulative().toString());
        body.put("closedAt", m.closedAt().toString());
        body.put("manifestHash", m.manifestHash());
        body.put("manifestPath", "/network/epochs/" + epoch + "/manifest");
        epochs.configVersion(epoch).ifPresent(v -> body.put("configVersion", v));
        epochs.manifestDocument(epoch).map(this::manifestHead).ifPresent(head -> {
            body.put("pools", head.get("pools"));
            body.put("cuts", head.get("cuts"));
            body.put("unallocatedByReason", head.get("unallocatedByReason"));
        });
        body.put("rootTx", rootTx.orElse(null));
        Map<String, Object> onChain = new LinkedHashMap<>();
        rootTx.flatMap(tx -> chain.publishedRoot(tx, epoch)).ifPresentOrElse(published -> {
            onChain.put("event", published.event());
            onChain.put("root", published.rootHex());
            onChain.put("manifestHash", published.manifestHash());
            onChain.put("blockNumber", published.blockNumber());
            onChain.put("rootMatches", published.rootHex().equalsIgnoreCase(m.rootHex()));
            onChain.put("manifestHashMatches", published.manifestHash().equalsIgnoreCase(m.manifestHash()));
        }, () -> onChain.put("rootMatches", false));
        DistributorView.OnChainRoots roots = chain.roots();
        String state = roots.activeRootHex() != null && roots.activeEpoch() == epoch ? "active"
                : roots.pendingRootHex() != null && roots.pendingEpoch() == epoch ? "pending"
                : roots.activeRootHex() != null && roots.activeEpoch() > epoch ? "superseded" : "not_active";
        onChain.put("state", state);
        if ("active".equals(state)) {
            onChain.put("activeRootMatches", roots.activeRootHex().equalsIgnoreCase(m.rootHex()));
        }
        body.put("onChain", onChain);
        return Response.ok(body);
    }

    /** The manifest's members other than the allocation list (streamed past: a large network's list is hundreds of MB). */
    private Map<String, Object> manifestHead(byte[] document) {
        Map<String, Object> head = new LinkedHashMap<>();
        try (JsonParser parser = json.createParser(document)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if ("allocations".equals(name)) {
                    parser.skipChildren();
                } else {
                    head.put(name, json.readTree(parser));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("manifest is not JSON", e);
        }
        return head;
    }

    /** The manifest's one allocation entry of {@code deviceId}, streamed. */
    private Optional<JsonNode> allocationOf(byte[] document, String deviceId) {
        try (JsonParser parser = json.createParser(document)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (!"allocations".equals(name)) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode entry = json.readTree(parser);
                    if (deviceId.equals(entry.path("device").asText())) {
                        return Optional.of(entry);
                    }
                }
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("manifest is not JSON", e);
        }
        return Optional.empty();
    }

    private Response manifest(String text) {
        EpochArg arg = epochArg(text, false);
        if (arg instanceof EpochArg.Invalid invalid) {
            return invalid.response();
        }
        long epoch = ((EpochArg.Value) arg).epoch();
        return epochs.manifestDocument(epoch)
                .map(doc -> new Response(200, doc, true))
                .orElseGet(() -> Response.error(404, "epoch_not_closed", "epoch " + epoch + " has no manifest: it is not closed yet"));
    }

    /** The checks every evidence-chain link of (epoch, device) makes: the epoch's manifest, or the 4xx answer. */
    private sealed interface ClosedEpochArg permits ClosedEpochArg.Value, ClosedEpochArg.Invalid {
        record Value(long epoch, EpochManifest manifest) implements ClosedEpochArg {
        }

        record Invalid(Response response) implements ClosedEpochArg {
        }
    }

    private ClosedEpochArg closedEpochOfDevice(String text, String deviceId) {
        EpochArg arg = epochArg(text, false);
        if (arg instanceof EpochArg.Invalid invalid) {
            return new ClosedEpochArg.Invalid(invalid.response());
        }
        if (!ProofCodec.DEVICE_ID.matcher(deviceId).matches()) {
            return new ClosedEpochArg.Invalid(invalidDeviceId(deviceId));
        }
        long epoch = ((EpochArg.Value) arg).epoch();
        if (registry.find(deviceId).isEmpty()) {
            return new ClosedEpochArg.Invalid(Response.error(404, "unknown_device", "no device " + deviceId + " is registered"));
        }
        Optional<EpochManifest> closed = epochs.manifest(epoch);
        if (closed.isEmpty()) {
            return new ClosedEpochArg.Invalid(Response.error(404, "epoch_not_closed",
                    "epoch " + epoch + " is not closed yet: no rewards to trace"));
        }
        return new ClosedEpochArg.Value(epoch, closed.get());
    }

    /** One link of the evidence chain: a device's reward in an epoch, its manifest entry and the accepted proofs behind it. */
    private Response epochDevice(String text, String deviceId) {
        ClosedEpochArg arg = closedEpochOfDevice(text, deviceId);
        if (arg instanceof ClosedEpochArg.Invalid invalid) {
            return invalid.response();
        }
        long epoch = ((ClosedEpochArg.Value) arg).epoch();
        EpochManifest manifest = ((ClosedEpochArg.Value) arg).manifest();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("epoch", epoch);
        body.put("deviceId", deviceId);
        body.put("root", manifest.rootHex());
        body.put("manifestHash", manifest.manifestHash());
        body.put("rootTx", epochs.rootTransaction(epoch).orElse(null));
        DynamoExplorerReads.Share share = reads.shares(deviceId, List.of(epoch)).get(epoch);
        body.put("reward", share == null ? "0" : share.amount().toString());
        body.put("units", share == null ? 0 : share.units());
        body.put("owner", share == null ? null : share.owner());
        body.put("work", reads.workByEpoch(deviceId).getOrDefault(epoch, Map.of()));
        body.put("allocation", epochs.manifestDocument(epoch).flatMap(doc -> allocationOf(doc, deviceId)).orElse(null));
        body.put("acceptedProofs", proofs.verdictsForDevice(deviceId, 1000).stream()
                .filter(v -> "accepted".equals(v.outcome()) && v.epoch() == epoch).map(ExplorerApi::verdict).toList());
        body.put("olderProofs", PAPER_TRAIL);
        body.put("proofsPath", proofsPath(epoch, deviceId));
        body.put("paperTrailQuery", paperTrailQuery(deviceId, epoch, clock));
        return Response.ok(body);
    }

    private static String proofsPath(long epoch, String deviceId) {
        return "/network/epochs/" + epoch + "/devices/" + deviceId + "/proofs";
    }

    /**
     * The last link of the evidence chain, for any closed epoch: the accepted proofs credited to the device in the epoch,
     * read from the paper trail ({@link PaperTrailSearch}: the S3 objects on the devnet, Athena on AWS). Their units add
     * up to the device's units in the epoch. A query still running is a 503 with a retry hint, a failed one a 502 with
     * the store's reason.
     */
    private Response epochDeviceProofs(String text, String deviceId) {
        ClosedEpochArg arg = closedEpochOfDevice(text, deviceId);
        if (arg instanceof ClosedEpochArg.Invalid invalid) {
            return invalid.response();
        }
        long epoch = ((ClosedEpochArg.Value) arg).epoch();
        PaperTrailSearch.Query query = PaperTrailSearch.Query.of(deviceId, epoch, clock);
        return switch (paperTrail.acceptedProofs(query)) {
            case PaperTrailSearch.Found found -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("epoch", epoch);
                body.put("deviceId", deviceId);
                body.put("source", "paper-trail");
                body.put("days", query.firstDay() + ".." + query.lastDay());
                body.put("count", found.proofs().size());
                body.put("units", found.units());
                body.put("truncated", found.truncated());
                body.put("cap", PaperTrailSearch.CAP);
                body.put("proofs", found.proofs().stream().map(p -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("deliveryId", p.deliveryId());
                    m.put("proofId", p.proofId());
                    m.put("sequence", p.seq());
                    m.put("proofType", p.proofType());
                    m.put("units", p.units());
                    m.put("receivedAt", p.receivedAt().toString());
                    return m;
                }).toList());
                body.put("paperTrailQuery", query.sql());
                // A closed epoch's trail no longer changes.
                yield new Response(200, body, true);
            }
            case PaperTrailSearch.Running running -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", "paper_trail_query_running");
                body.put("detail", running.detail());
                body.put("queryId", running.searchId());
                body.put("retryAfterSeconds", running.retryAfter().toSeconds());
                yield new Response(503, body, false);
            }
            case PaperTrailSearch.Failed failed -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", "paper_trail_query_failed");
                body.put("detail", failed.reason());
                body.put("queryId", failed.searchId());
                yield new Response(502, body, false);
            }
        };
    }

    /**
     * The Athena query (Glue table {@code verdicts} in the stack's {@code <stack>_paper_trail} database) that lists the
     * accepted proofs credited to a device in an epoch: {@link PaperTrailSearch.Query#sql()}, what the {@code /proofs}
     * link runs on AWS, shown to auditors who query the trail themselves.
     */
    static String paperTrailQuery(String deviceId, long epoch, EpochClock clock) {
        return PaperTrailSearch.Query.of(deviceId, epoch, clock).sql();
    }
}
