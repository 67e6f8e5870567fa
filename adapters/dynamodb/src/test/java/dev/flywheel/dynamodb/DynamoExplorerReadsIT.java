package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.reward.DeviceReward;
import dev.flywheel.testing.MotoDynamo;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explorer's map and owner reads on a real moto_server, through a client that records every request: an owner's
 * devices come from one Query of the devices table's {@code ByOwner} index (owner-history items filtered out), the map
 * from the epoch's hex summary (one Query of its partition per resolution), a hex's devices from one GetItem (or a
 * Query of its children's key range), and no request is a Scan. Each answer is checked against the registrations and
 * shares the test wrote, and the read units are printed next to a scan of the devices table in the same run.
 */
class DynamoExplorerReadsIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int DEVICES = 240;
    private static final int OWNERS = 24;
    private static final long EPOCH = 7;
    private static final Map<String, DeviceRecord> REGISTERED = new TreeMap<>();
    private static final List<DeviceReward> REWARDS = new ArrayList<>();

    @BeforeAll
    static void registerAndSummarise() {
        DynamoOnboardingRegistry registry = new DynamoOnboardingRegistry(MOTO.dynamo(), MOTO.tables().devices());
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.P256_SHA256, RANDOM);
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < DEVICES; i++) {
            // Three cities, devices a few hundred metres apart: several resolution-8 hexes under each resolution-5 one.
            double lat = List.of(38.72, 52.52, -33.87).get(i % 3) + (i / 3 % 8) * 0.004;
            double lng = List.of(-9.14, 13.40, 151.21).get(i % 3) + (i / 24) * 0.004;
            String id = String.format("reads-%03d", i);
            DeviceRecord d = new DeviceRecord(id, SignatureScheme.P256_SHA256, key.publicKey(), owner(i % OWNERS),
                    DeviceStatus.ACTIVE, H3Native.get().latLngToCellAddress(lat, lng, 10));
            assertTrue(registry.register(new DynamoOnboardingRegistry.Registration(d, "reads-it", "arn:thing/" + id, "c-" + id,
                    "arn:cert/" + id, 1, Map.of("ownerSignature", "test")), at));
            REGISTERED.put(id, d);
            // Two devices in three did work in the epoch.
            if (i % 3 != 2) {
                REWARDS.add(new DeviceReward(id, d.owner(), 1 + i % 5, BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(1 + i % 5))));
            }
        }
        DynamoHexSummaries writer = new DynamoHexSummaries(MOTO.dynamo(), MOTO.tables());
        List<Long> written = writer.writeMissing(EPOCH, 0, 50, e -> e == EPOCH ? REWARDS : List.of(),
                (e, ids) -> writer.registeredCells(ids));
        // Epochs 7 down to 0 had no summary: 7 with its shares, the others empty (an empty network is an empty map).
        assertEquals(List.of(7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L), written);
        assertEquals(List.of(), writer.writeMissing(EPOCH, 0, 50, e -> REWARDS, (e, ids) -> writer.registeredCells(ids)),
                "a second run finds every summary written");
    }

    private static String owner(int n) {
        return String.format("0x%040x", 0xa000 + n);
    }

    /** Records the operation of every request the client sends. */
    private static final class Requests implements ExecutionInterceptor {
        final List<String> operations = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            operations.add(context.request().getClass().getSimpleName().replaceFirst("Request$", ""));
        }
    }

    private static DynamoDbClient recorded(ExecutionInterceptor... interceptors) {
        ClientOverrideConfiguration.Builder config = ClientOverrideConfiguration.builder();
        for (ExecutionInterceptor i : interceptors) {
            config.addExecutionInterceptor(i);
        }
        return DynamoDbClient.builder().endpointOverride(MotoDynamo.endpoint())
                .region(Region.of(System.getProperty("aws.region", System.getenv("AWS_REGION"))))
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(config.build()).build();
    }

    private static String parent(String cell, int res) {
        return H3Native.get().cellToParentAddress(cell, res);
    }

    @Test
    void ownerDevicesAreOneIndexQueryNotAScan() {
        Requests requests = new Requests();
        DynamoCapacityMeter meter = new DynamoCapacityMeter();
        try (DynamoDbClient client = recorded(requests, meter)) {
            DynamoExplorerReads reads = new DynamoExplorerReads(client, MOTO.tables());
            String owner = owner(5);
            List<DynamoExplorerReads.ListedDevice> found = reads.devicesOf(owner);
            List<DynamoExplorerReads.ListedDevice> expected = REGISTERED.values().stream().filter(d -> d.owner().equals(owner))
                    .map(d -> new DynamoExplorerReads.ListedDevice(d.deviceId(), d.owner(), "ACTIVE", d.h3Cell())).toList();
            assertEquals(DEVICES / OWNERS, expected.size());
            assertEquals(expected, found, "the owner's devices, in device-id order, without its owner-history items");
            assertEquals(List.of("Query"), requests.operations);
            assertEquals(List.of(), reads.devicesOf(owner(999)), "an owner without devices: an empty partition");
            double ownerUnits = meter.units().read();

            // The baseline the index replaces, measured here: the owner page's old filtered scan is billed for every item
            // it reads before the filter (the meter bills what a request returns, so the scan here has no filter).
            meter.reset();
            client.scanPaginator(b -> b.tableName(MOTO.tables().devices())).items().forEach(i -> { });
            double scanUnits = meter.units().read();
            System.out.printf("[explorer-reads] owner page, %d devices of %d: ByOwner Query %.1f read units; "
                            + "scan of the devices table %.1f read units (x%.0f, and it grows with the network)%n",
                    found.size(), DEVICES, ownerUnits, scanUnits, scanUnits / ownerUnits);
            assertTrue(ownerUnits * 10 < scanUnits, "the index reads a fraction of the table: " + ownerUnits + " vs " + scanUnits);
        }
    }

    @Test
    void mapAndHexReadsComeFromTheSummaryWithoutAScan() {
        Requests requests = new Requests();
        DynamoCapacityMeter meter = new DynamoCapacityMeter();
        try (DynamoDbClient client = recorded(requests, meter)) {
            DynamoHexSummaries summaries = new DynamoHexSummaries(client, MOTO.tables());
            DynamoHexSummaries.Head head = summaries.head(EPOCH).orElseThrow();
            assertEquals(REWARDS.size(), head.activeDevices());
            assertEquals(REWARDS.size(), head.locatedDevices());

            for (int res : DynamoHexSummaries.RESOLUTIONS) {
                // Expected from the shares and registrations, grouped here.
                Map<String, List<DeviceReward>> byCell = REWARDS.stream()
                        .collect(Collectors.groupingBy(r -> parent(REGISTERED.get(r.deviceId()).h3Cell(), res), TreeMap::new, Collectors.toList()));
                List<DynamoHexSummaries.Hex> hexes = summaries.hexes(EPOCH, res);
                assertEquals(byCell.keySet(), hexes.stream().map(DynamoHexSummaries.Hex::cell).collect(Collectors.toCollection(TreeSet::new)));
                assertEquals(byCell.size(), head.hexes().get(res));
                for (DynamoHexSummaries.Hex h : hexes) {
                    List<DeviceReward> in = byCell.get(h.cell());
                    assertEquals(in.size(), h.activeDevices(), h.cell());
                    assertEquals(in.stream().mapToLong(DeviceReward::units).sum(), h.units(), h.cell());
                    assertEquals(in.stream().map(DeviceReward::amount).reduce(BigInteger.ZERO, BigInteger::add), h.rewards(), h.cell());
                }
            }
            assertTrue(summaries.hexes(EPOCH, 5).size() >= 3 && summaries.hexes(EPOCH, 8).size() > summaries.hexes(EPOCH, 5).size(),
                    "several resolution-8 hexes under the resolution-5 ones");

            // A hex's devices at resolution 8 (one GetItem), 5 (a key range of its children) and 10 (the parent's row, filtered).
            DeviceReward some = REWARDS.get(4);
            String deviceCell = REGISTERED.get(some.deviceId()).h3Cell();
            for (int res : List.of(8, 5, 10)) {
                String cell = parent(deviceCell, res);
                Set<String> expected = REWARDS.stream().filter(r -> parent(REGISTERED.get(r.deviceId()).h3Cell(), res).equals(cell))
                        .map(DeviceReward::deviceId).collect(Collectors.toCollection(TreeSet::new));
                DynamoHexSummaries.HexDevices in = summaries.devicesIn(EPOCH, cell);
                assertEquals(expected, in.devices().stream().map(DynamoHexSummaries.Member::deviceId).collect(Collectors.toCollection(TreeSet::new)),
                        "devices of " + cell + " (resolution " + res + ")");
                assertEquals(expected.size(), in.total());
                DynamoHexSummaries.Member member = in.devices().stream().filter(m -> m.deviceId().equals(some.deviceId())).findFirst().orElseThrow();
                assertEquals(new DynamoHexSummaries.Member(some.deviceId(), deviceCell, some.owner(), some.units(), some.amount()), member);
            }
            // Another city's resolution-5 hex shares no device with this one: the key range stops at the hex's children.
            assertTrue(summaries.devicesIn(EPOCH, parent(deviceCell, 5)).total() < REWARDS.size());
            // An epoch without work: an empty summary, not a missing one.
            assertEquals(0, summaries.head(3).orElseThrow().activeDevices());
            assertEquals(List.of(), summaries.hexes(3, 8));

            assertFalse(requests.operations.contains("Scan"), "no Scan: " + requests.operations);
            assertEquals(Set.of("GetItem", "Query"), new TreeSet<>(requests.operations));
            System.out.printf("[explorer-reads] map of %d active devices: %d requests (%s), %.1f read units%n",
                    REWARDS.size(), requests.operations.size(), new TreeMap<>(requests.operations.stream()
                            .collect(Collectors.groupingBy(o -> o, Collectors.counting()))), meter.units().read());
        }
    }

    @Test
    void hexDescendantsFormOneKeyRange() {
        String r5 = parent(H3Native.get().latLngToCellAddress(38.72, -9.14, 10), 5);
        String lo = DynamoHexSummaries.descendantBound(r5, 8, false);
        String hi = DynamoHexSummaries.descendantBound(r5, 8, true);
        Map<String, Boolean> inside = new HashMap<>();
        // Every resolution-8 child sorts inside [lo, hi]; the neighbours' children sort outside.
        for (String child : H3Native.get().cellToChildren(r5, 8)) {
            inside.put(child, child.compareTo(lo) >= 0 && child.compareTo(hi) <= 0);
        }
        assertEquals(343, inside.size());
        assertFalse(inside.containsValue(false), "a child outside the range");
        for (String neighbour : H3Native.get().gridDisk(r5, 1)) {
            if (neighbour.equals(r5)) {
                continue;
            }
            for (String child : H3Native.get().cellToChildren(neighbour, 8)) {
                assertFalse(child.compareTo(lo) >= 0 && child.compareTo(hi) <= 0, child + " of " + neighbour + " inside " + r5 + "'s range");
            }
        }
    }
}
