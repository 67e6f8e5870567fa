package dev.flywheel.iot;

/** A certificate registered in IoT Core for one device. */
public record IssuedDeviceCertificate(String certificateId, String certificateArn, String certificatePem) {
}
