/**
 * The public API: {@link dev.frameconn.FrameConn} (a framed connection),
 * {@link dev.frameconn.FrameServer} (accepting them), {@link dev.frameconn.Frame}
 * (a received frame owning pooled memory), {@link dev.frameconn.FrameConnConfig},
 * and the {@link dev.frameconn.FrameConnException} family of peer failures.
 */
package dev.frameconn;
