package dev.flywheel.function;

import jakarta.inject.Singleton;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Reads secrets (signing keys, RPC URLs with API keys) from Secrets Manager; never from plain env. */
@Singleton
public class SecretValues {
    private final SecretsManagerClient secrets;

    public SecretValues(SecretsManagerClient secrets) {
        this.secrets = secrets;
    }

    public String get(String secretId) {
        return secrets.getSecretValue(b -> b.secretId(secretId)).secretString().strip();
    }
}
