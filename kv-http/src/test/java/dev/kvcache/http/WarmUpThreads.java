package dev.kvcache.http;

/** Whether {@link KvHandler#warmUp}'s second thread is running: for the tests of its start and stop. */
public final class WarmUpThreads {
    private WarmUpThreads() {}

    /** @return whether a thread named {@code kvcache-warm-up} is alive in this JVM */
    public static boolean alive() {
        // Thread.enumerate, not getAllStackTraces: polled in a loop, it must not stop every thread each time
        Thread[] threads = new Thread[Thread.activeCount() + 64];
        int count = Thread.enumerate(threads);
        for (int i = 0; i < count; i++) {
            if (threads[i].getName().equals("kvcache-warm-up") && threads[i].isAlive()) {
                return true;
            }
        }
        return false;
    }
}
