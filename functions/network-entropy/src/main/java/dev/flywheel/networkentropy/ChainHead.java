package dev.flywheel.networkentropy;

/** Port: the chain block the network's entropy is derived from (the newest finalized one). */
@FunctionalInterface
public interface ChainHead {

    /** @param hash 32 bytes */
    record Block(long number, byte[] hash) {
        public Block {
            if (hash.length != 32) {
                throw new IllegalArgumentException("a block hash has 32 bytes, got " + hash.length);
            }
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }
    }

    Block head();
}
