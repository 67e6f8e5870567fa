package dev.flywheel.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Least privilege in template.yaml: see {@link PolicyCheck} for the rules. */
class TemplatePolicyTest {

    @Test
    void templateGrantsOnlyNamedActionsOnNamedResources() {
        List<String> violations = PolicyCheck.violations(Template.load().tree());
        assertEquals(List.of(), violations, "template.yaml IAM violations:\n  " + String.join("\n  ", violations));
    }

    @Test
    void theCheckCatchesWildcardActions() {
        var v = PolicyCheck.violations(Template.parse("""
                Resources:
                  R:
                    Type: AWS::IAM::Role
                    Properties:
                      Policies:
                        - PolicyName: p
                          PolicyDocument:
                            Statement:
                              - {Sid: All, Effect: Allow, Action: '*', Resource: !GetAtt T.Arn}
                              - {Sid: Service, Effect: Allow, Action: ['dynamodb:*'], Resource: !GetAtt T.Arn}
                """));
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains("R/p statement All: wildcard action *"), v.get(0));
        assertTrue(v.get(1).contains("wildcard action dynamodb:*"), v.get(1));
    }

    @Test
    void theCheckCatchesStarResourcesWhereANarrowerOneExists() {
        var v = PolicyCheck.violations(Template.parse("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Policies:
                        - Statement:
                            - {Sid: Endpoint, Effect: Allow, Action: iot:DescribeEndpoint, Resource: '*'}
                            - {Sid: Csr, Effect: Allow, Action: iot:CreateCertificateFromCsr, Resource: '*'}
                            - {Sid: Get, Effect: Allow, Action: [dynamodb:GetItem], Resource: ['*']}
                            - {Sid: Topic, Effect: Allow, Action: iot:Publish, Resource: !Sub 'arn:aws:iot:r:1:topic/a/*/b'}
                """));
        assertEquals(List.of(
                "F statement Endpoint: Resource '*' for iot:DescribeEndpoint, which accepts a narrower resource",
                "F statement Get: Resource '*' for dynamodb:GetItem, which accepts a narrower resource"), v);
    }

    @Test
    void theCheckReviewsBothBranchesOfAConditionalStatement() {
        var v = PolicyCheck.violations(Template.parse("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Policies:
                        - Statement:
                            - !If [C, {Sid: Read, Effect: Allow, Action: 'kinesis:*', Resource: !GetAtt S.Arn}, !Ref AWS::NoValue]
                            - Fn::If: [C, {Sid: A, Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Q.Arn},
                                       {Sid: B, Effect: Allow, Action: sqs:SendMessage, Resource: '*'}]
                """));
        assertEquals(List.of("F statement Read: wildcard action kinesis:*",
                "F statement B: Resource '*' for sqs:SendMessage, which accepts a narrower resource"), v);
    }

    @Test
    void theCheckCatchesTableWideSamTemplatesAndManagedPolicies() {
        var v = PolicyCheck.violations(Template.parse("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Policies:
                        - DynamoDBCrudPolicy: {TableName: !Ref T}
                        - AmazonDynamoDBFullAccess
                        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: !Ref S}
                """));
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains("DynamoDBCrudPolicy"), v.get(0));
        assertTrue(v.get(1).contains("managed policy AmazonDynamoDBFullAccess"), v.get(1));
    }

    @Test
    void noRoleKeepsTheUnusedDescribeEndpointGrant() {
        String text = Template.load().tree().toString();
        assertTrue(!text.contains("iot:DescribeEndpoint"), "no code calls iot:DescribeEndpoint; the grant must stay removed");
    }
}
