#!/usr/bin/env python3
"""Seeds moto's IAM (server mode, at the URL given as the only argument) with the account the
aws-iam moto test reads, and prints what moto generated (access key ids) as one JSON object.

  users   alice (console password, in developers and admins, two keys: one Active, one Inactive)
          bob (AdministratorAccess attached directly, inline policy bob-scratch)
          carol (in admins: AdministratorAccess through the group)
          ci-deploy (one Active key; trusted by role deploy)
  groups  admins, developers (customer managed policy dev-access)
  roles   deploy (trusts ci-deploy), ec2-app (trusts ec2.amazonaws.com)
"""
import json
import sys

import boto3

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def main():
    url = sys.argv[1]
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for name in ("alice", "bob", "carol", "ci-deploy"):
        iam.create_user(UserName=name)
    account = iam.get_user(UserName="alice")["User"]["Arn"].split(":")[4]
    iam.create_login_profile(UserName="alice", Password="Rollcall-moto-1!")
    iam.attach_user_policy(UserName="bob", PolicyArn=ADMIN)
    allow_s3 = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    iam.put_user_policy(UserName="bob", PolicyName="bob-scratch", PolicyDocument=allow_s3)
    dev = iam.create_policy(PolicyName="dev-access", PolicyDocument=allow_s3)["Policy"]["Arn"]
    iam.create_group(GroupName="admins")
    iam.create_group(GroupName="developers")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.attach_group_policy(GroupName="developers", PolicyArn=dev)
    iam.add_user_to_group(GroupName="admins", UserName="carol")
    iam.add_user_to_group(GroupName="developers", UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="alice")  # beyond her role: drift to revoke
    keys = {
        "alice": [iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"] for _ in range(2)],
        "ci-deploy": [iam.create_access_key(UserName="ci-deploy")["AccessKey"]["AccessKeyId"]],
    }
    iam.update_access_key(UserName="alice", AccessKeyId=keys["alice"][1], Status="Inactive")

    def trust(principal):
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="deploy",
                    AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{account}:user/ci-deploy"}))
    iam.attach_role_policy(RoleName="deploy", PolicyArn=ADMIN)
    iam.create_role(RoleName="ec2-app", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    print(json.dumps({"account": account, "keys": keys}))


if __name__ == "__main__":
    main()
