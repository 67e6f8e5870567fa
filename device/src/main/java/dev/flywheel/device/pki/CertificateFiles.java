package dev.flywheel.device.pki;

import java.nio.file.Path;

/**
 * Where an issued identity was written: what {@code AwsIotMqttConnectionBuilder.newMtlsBuilderFromPath}
 * takes. {@code keyPath} is null when the certificate was issued from a CSR (the device keeps its key).
 */
public record CertificateFiles(Path certPath, Path keyPath) {
}
