/**
 * JMH microbenchmarks of frameconn's hot paths: the header codec, the buffer
 * pool, and frame writing and reading over in-memory transports. Run them with
 * {@code bin/frameconn bench jmh -prof gc} (any JMH options work); the figure
 * to watch besides time is {@code gc.alloc.rate.norm}, bytes allocated per
 * operation, which should be 0 in steady state.
 */
package dev.frameconn.bench.jmh;
