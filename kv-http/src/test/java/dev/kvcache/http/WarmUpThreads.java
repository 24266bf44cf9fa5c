package dev.kvcache.http;

/**
 * Whether a warm-up thread is running: {@link KvHandler#warmUp}'s second thread, or the standalone server's
 * loopback warm-up (its client thread and its twin server's pool): for the tests of their start and stop.
 */
public final class WarmUpThreads {
    private WarmUpThreads() {}

    /** @return whether a thread whose name starts with {@code kvcache-warm-up} is alive in this JVM */
    public static boolean alive() {
        // Thread.enumerate, not getAllStackTraces: polled in a loop, it must not stop every thread each time
        Thread[] threads = new Thread[Thread.activeCount() + 64];
        int count = Thread.enumerate(threads);
        for (int i = 0; i < count; i++) {
            if (threads[i].getName().startsWith("kvcache-warm-up") && threads[i].isAlive()) {
                return true;
            }
        }
        return false;
    }
}
