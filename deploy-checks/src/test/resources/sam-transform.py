"""Prints template.yaml after the SAM transform (AWS::Serverless::* expanded into CloudFormation) as JSON.

Used by SamTransformPolicyTest: the roles, policies and schedule roles SAM generates get the same
least-privilege review as the ones written by hand. CodeUri paths become a placeholder S3 URI (the
translator only accepts S3 locations); nothing else changes. Needs the samtranslator package (it comes
with cfn-lint).
"""
import json
import re
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


text = open(sys.argv[1]).read()
text = re.sub(r"CodeUri: functions/\S+", "CodeUri: s3://placeholder/function.jar", text)
print(json.dumps(transform(yaml_parse(text), {"AWS::Region": "us-east-1"}, NoManagedPolicies())))
