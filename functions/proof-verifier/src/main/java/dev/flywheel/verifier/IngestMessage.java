package dev.flywheel.verifier;

/**
 * One message of the ingest, whatever carried it: the IoT rule's JSON ({@link RuleMessage}) and the id a redelivery of
 * the same message repeats (the SQS message id; for Kinesis, {@link KinesisProofVerifierHandler#deliveryId}).
 */
record IngestMessage(String deliveryId, String body) {
}
