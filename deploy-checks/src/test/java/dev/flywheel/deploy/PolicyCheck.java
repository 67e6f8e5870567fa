package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Least-privilege review of every IAM (and IoT) policy statement in a template. A violation is reported, never
 * thrown, so one run lists them all. Rules:
 * <ul>
 *   <li>no {@code *} or {@code service:*} action, no {@code NotAction}/{@code NotResource};</li>
 *   <li>{@code Resource: '*'} only for actions that IAM defines without a resource type ({@link #STAR_ONLY});</li>
 *   <li>no SAM policy template that grants a whole table's read/write API ({@link #BROAD_SAM_TEMPLATES}) and no
 *       managed policy by name: each role lists the actions its code calls.</li>
 * </ul>
 */
final class PolicyCheck {
    /**
     * Actions with no resource type in the Service Authorization Reference: {@code '*'} is the only resource they
     * accept. Only those the template needs; add one only after checking that reference.
     */
    static final Set<String> STAR_ONLY = Set.of(
            "iot:CreateCertificateFromCsr",
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "cloudwatch:PutMetricData");

    /** SAM policy templates that grant every item action on a table (or more) instead of the ones used. */
    static final Set<String> BROAD_SAM_TEMPLATES = Set.of(
            "DynamoDBCrudPolicy", "DynamoDBWritePolicy", "DynamoDBReadPolicy", "DynamoDBReconfigurePolicy",
            "DynamoDBBackupFullAccessPolicy", "DynamoDBRestoreFromBackupPolicy", "SQSPollerPolicy",
            "S3CrudPolicy", "S3FullAccessPolicy", "SNSCrudPolicy", "KMSDecryptPolicy", "KMSEncryptPolicy");

    private PolicyCheck() {
    }

    static List<String> violations(JsonNode template) {
        List<String> out = new ArrayList<>();
        for (var e : template.path("Resources").properties()) {
            String id = e.getKey();
            JsonNode r = e.getValue();
            JsonNode p = r.path("Properties");
            switch (r.path("Type").asText()) {
                case "AWS::IAM::Role" -> {
                    for (JsonNode policy : p.path("Policies")) {
                        statements(id + "/" + policy.path("PolicyName").asText(), policy.path("PolicyDocument"), out);
                    }
                }
                case "AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IoT::Policy" ->
                        statements(id, p.path("PolicyDocument"), out);
                case "AWS::Serverless::Function", "AWS::Serverless::StateMachine" -> samPolicies(id, p.path("Policies"), out);
                default -> {
                }
            }
        }
        return out;
    }

    private static void samPolicies(String id, JsonNode policies, List<String> out) {
        if (policies.isMissingNode()) {
            return;
        }
        if (policies.isTextual()) {
            out.add(id + ": managed policy " + policies.asText() + " (list the actions the code uses instead)");
            return;
        }
        if (policies.isObject()) {
            statements(id, policies, out);
            return;
        }
        for (JsonNode policy : policies) {
            if (policy.isTextual()) {
                out.add(id + ": managed policy " + policy.asText() + " (list the actions the code uses instead)");
            } else if (policy.has("Statement")) {
                statements(id, policy, out);
            } else {
                for (Map.Entry<String, JsonNode> template : policy.properties()) {
                    if (BROAD_SAM_TEMPLATES.contains(template.getKey())) {
                        out.add(id + ": SAM policy template " + template.getKey()
                                + " grants a whole service API on the resource; list the actions the code uses");
                    }
                }
            }
        }
    }

    private static void statements(String where, JsonNode document, List<String> out) {
        JsonNode statements = document.path("Statement");
        List<JsonNode> list = new ArrayList<>();
        if (statements.isArray()) {
            statements.forEach(s -> list.addAll(branches(s)));
        } else if (statements.isObject()) {
            list.add(statements);
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode s = list.get(i);
            String at = where + " statement " + (s.has("Sid") ? s.path("Sid").asText() : "#" + i);
            if (s.has("NotAction") || s.has("NotResource")) {
                out.add(at + ": NotAction/NotResource grants everything else");
            }
            if (!"Allow".equals(s.path("Effect").asText())) {
                continue; // a Deny with a wildcard only narrows
            }
            List<String> actions = strings(s.path("Action"));
            for (String action : actions) {
                if (action.equals("*") || action.endsWith(":*")) {
                    out.add(at + ": wildcard action " + action);
                }
            }
            if (strings(s.path("Resource")).contains("*")) {
                for (String action : actions) {
                    if (!STAR_ONLY.contains(action)) {
                        out.add(at + ": Resource '*' for " + action + ", which accepts a narrower resource");
                    }
                }
            }
        }
    }

    /**
     * A statement, or both statements of a conditional one ({@code !If [condition, statement, statement or
     * !Ref AWS::NoValue]}, which reads as the list, or {@code {"Fn::If": [...]}} after the SAM transform): each is reviewed.
     */
    private static List<JsonNode> branches(JsonNode statement) {
        JsonNode conditional = statement.has("Fn::If") ? statement.path("Fn::If") : statement;
        if (conditional.isArray() && conditional.size() == 3 && conditional.get(0).isTextual()) {
            List<JsonNode> out = new ArrayList<>();
            for (int i = 1; i < 3; i++) {
                if (conditional.get(i).has("Effect")) {
                    out.add(conditional.get(i));
                }
            }
            return out;
        }
        return List.of(statement);
    }

    /** Every string value under {@code node} (a scalar, a list, or an intrinsic's arguments). */
    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isContainerNode()) {
            node.forEach(child -> out.addAll(strings(child)));
        }
        return out;
    }
}
