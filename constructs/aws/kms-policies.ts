/**
 * KMS key policies as data. The signing key's policy is what makes it sign-only: administrators manage it but cannot
 * use it, and only the executor role may call Sign and GetPublicKey.
 */

const ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  // Creating the other regions' replicas of the multi-Region signing key (none of the wildcards above covers it).
  "kms:ReplicateKey",
];

export function signingKeyPolicy(accountId: string, signerRoleArns: string[]): string {
  const root = `arn:aws:iam::${accountId}:root`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: ADMIN_ACTIONS, Resource: "*" },
      {
        Sid: "SignOnlyForExecutors",
        Effect: "Allow",
        Principal: { AWS: signerRoleArns },
        Action: ["kms:Sign", "kms:GetPublicKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:SigningAlgorithm": "ECDSA_SHA_256" } },
      },
      {
        // Belt and braces: even an over-broad IAM policy elsewhere cannot make another principal sign.
        Sid: "DenySignToEveryoneElse",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["kms:Sign"],
        Resource: "*",
        Condition: { ArnNotEquals: { "aws:PrincipalArn": signerRoleArns } },
      },
    ],
  });
}

export function dataKeyPolicy(accountId: string, readerRoleArns: string[], awsRegion: string): string {
  const root = `arn:aws:iam::${accountId}:root`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" },
      {
        Sid: "DecryptForServiceHostsViaSecretsAndS3",
        Effect: "Allow",
        Principal: { AWS: readerRoleArns },
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:ViaService": [`secretsmanager.${awsRegion}.amazonaws.com`, `s3.${awsRegion}.amazonaws.com`],
          },
        },
      },
    ],
  });
}
